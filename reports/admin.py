from django.contrib import admin

from reports.models import ExportRecord


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    """Read-only: the record of who exported what is written by the exports alone."""

    list_display = ("started_at", "actor", "kind", "rows", "masked", "finished_at")
    list_filter = ("kind", "masked")
    readonly_fields = [f.name for f in ExportRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
