from django.contrib import admin

from core.audit import audit_change, snapshot


class SuperuserAdminSite(admin.AdminSite):
    """The admin, for superusers only (``admin.site``, through core.admin_apps).

    A role grants its permissions within one brand (brands.backends), but the admin checks
    permissions without a brand: a supervisor of one brand would read every brand's rows there.
    The desk's own pages are scoped by brand, so that is where people with a role work.
    """

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser


class ReadOnlyStateAdmin(admin.ModelAdmin):
    """State changes go through the domain's one write path, which writes the audit event; the
    admin shows them and changes nothing."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Every add, change and delete made here, and in its inlines, is written to the audit log
    with the state before and after (``core.audit``): a brand's settings, its committee seats,
    endpoints and tokens are changed in the admin, not through the desk's own pages.

    ``audit_exclude`` names the fields whose values never go into the log (secrets, digests).
    """

    audit_exclude: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change):
        before = _stored_snapshots([obj], self.audit_exclude).get(obj.pk, {}) if change else {}
        super().save_model(request, obj, form, change)
        after = snapshot(obj, exclude=self.audit_exclude)
        _audit(request, obj, "changed" if change else "added", before=before, after=after)

    def delete_model(self, request, obj):
        before = snapshot(obj, exclude=self.audit_exclude)
        brand_id = _brand_id(obj)  # read before the row, and what it points to, goes
        super().delete_model(request, obj)
        _audit(request, obj, "deleted", before=before, after={}, brand_id=brand_id)

    def delete_queryset(self, request, queryset):
        for obj in queryset:  # one event per row, never a silent bulk delete
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        before = _stored_snapshots([f.instance for f in formset.initial_forms], ())
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            _audit(request, obj, "added", before={}, after=snapshot(obj))
        for obj, _fields in formset.changed_objects:
            _audit(request, obj, "changed", before=before.get(obj.pk, {}), after=snapshot(obj))
        for obj in formset.deleted_objects:
            _audit(request, obj, "deleted", before=before.get(obj.pk, {}), after={})


def _stored_snapshots(objs, exclude: tuple[str, ...]) -> dict:
    """What the database holds for ``objs`` before the save, by pk, in one query."""
    pks = [obj.pk for obj in objs if obj.pk is not None]
    if not pks:
        return {}
    stored = type(objs[0])._default_manager.filter(pk__in=pks)
    return {row.pk: snapshot(row, exclude=exclude) for row in stored}


def _brand_id(obj) -> int | None:
    if obj._meta.model_name == "brand":
        return obj.pk
    if hasattr(obj, "brand_id"):
        return obj.brand_id
    membership = getattr(obj, "membership", None)  # a committee seat is a member's
    return membership.brand_id if membership is not None else None


def _audit(request, obj, verb: str, *, before: dict, after: dict, brand_id=None) -> None:
    audit_change(
        actor=request.user,
        action=f"{obj._meta.model_name}_{verb}",
        brand_id=brand_id if brand_id is not None else _brand_id(obj),
        before=before,
        after=after,
    )
