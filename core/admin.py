from django.contrib import admin


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
