from django.contrib import admin

from core.admin import AuditedAdmin, ReadOnlyStateAdmin
from crisis.models import CommitteeMember, Crisis, CrisisEvent, Escalation


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ("comment", "created_at", "notified_at", "attempts")
    list_filter = ("notified_at",)
    raw_id_fields = ("comment",)
    readonly_fields = ("created_at", "claimed_at", "notified_at", "attempts", "recipients")


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(AuditedAdmin):
    """Where a brand seats its committee: role, contact level, channels, spokesperson."""

    list_display = (
        "membership",
        "committee_role",
        "contact_level",
        "is_spokesperson",
        "chat_handle",
    )
    list_filter = ("committee_role", "contact_level", "membership__brand")
    raw_id_fields = ("membership",)


class CrisisEventInline(admin.TabularInline):
    model = CrisisEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "kind", "actor", "text", "data")


@admin.register(Crisis)
class CrisisAdmin(ReadOnlyStateAdmin):
    list_display = (
        "pk",
        "brand",
        "subject",
        "severity",
        "status",
        "escalations_count",
        "opened_at",
        "acknowledged_at",
    )
    list_filter = ("status", "severity", "brand")
    raw_id_fields = ("ripple", "owner", "acknowledged_by")
    readonly_fields = (
        "opened_at",
        "notified_at",
        "level_notified_at",
        "acknowledged_at",
        "responding_at",
        "contained_at",
        "closed_at",
        "first_comment_at",
        "last_escalation_at",
    )
    inlines = [CrisisEventInline]
