from django.contrib import admin


class ReadOnlyStateAdmin(admin.ModelAdmin):
    """State changes go through the domain's one write path, which writes the audit event; the
    admin shows them and changes nothing."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
