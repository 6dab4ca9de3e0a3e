"""Endpoints are set up by superusers here; deliveries and mails are a read-only record.

The secret is shown in full once, in the message after creating an endpoint or rotating its
secret, and masked everywhere else.
"""

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdmin
from core.audit import audit_change
from outbound.endpoints import endpoint_rotate_secret
from outbound.models import Delivery, DeliveryAttempt, Endpoint, Mail


def _show_secret_once(request, endpoint: Endpoint, secret: str) -> None:
    messages.warning(
        request,
        _(
            "Signing secret for %(endpoint)s: %(secret)s — copy it into the receiver now; it will "
            "not be shown again."
        )
        % {"endpoint": endpoint, "secret": secret},
    )


@admin.register(Endpoint)
class EndpointAdmin(AuditedAdmin):
    audit_exclude = ("secret",)
    list_display = ("brand", "purpose", "url", "active", "masked_secret", "secret_rotated_at")
    list_filter = ("purpose", "active", "brand")
    readonly_fields = ("masked_secret", "created_at", "secret_rotated_at")
    actions = ["rotate_secret"]
    # A URL typed without a scheme is taken as https: webhooks carry replies and crisis notices.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("secret"))
    def masked_secret(self, endpoint):
        return endpoint.masked_secret if endpoint.pk else _("generated when saved")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            _show_secret_once(request, obj, obj.secret)

    @admin.action(description=_("Rotate the signing secret"))
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            _show_secret_once(request, endpoint, endpoint_rotate_secret(endpoint=endpoint))
            audit_change(
                actor=request.user,
                action="endpoint_secret_rotated",
                brand_id=endpoint.brand_id,
                before={},
                after={"id": endpoint.pk, "url": endpoint.url},
            )


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ("at", "status_code", "error", "duration_ms")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "event",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    )
    list_filter = ("status", "endpoint__purpose", "endpoint__brand")
    list_select_related = ("endpoint__brand",)
    search_fields = ("key", "event")
    inlines = [DeliveryAttemptInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Mail)
class MailAdmin(admin.ModelAdmin):
    """The mail outbox, read-only: what was promised, sent, retried or given up, and why."""

    list_display = (
        "pk",
        "kind",
        "brand",
        "subject",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "failed_at",
        "created_at",
    )
    list_filter = ("kind", "brand", ("sent_at", admin.EmptyFieldListFilter), "failed_at")
    list_select_related = ("brand",)
    search_fields = ("key", "subject")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
