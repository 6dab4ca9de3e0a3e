from django.contrib import admin

from crisis.models import Escalation


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ("comment", "created_at", "notified_at", "attempts")
    list_filter = ("notified_at",)
    raw_id_fields = ("comment",)
    readonly_fields = ("created_at", "claimed_at", "notified_at", "attempts", "recipients")
