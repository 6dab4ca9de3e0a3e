from django.contrib import admin

from cases.customers import customer_personal_data
from cases.models import AuditEvent, Case, Department
from cases.privacy import mask_personal_data
from core.admin import ReadOnlyStateAdmin


@admin.register(Case)
class CaseAdmin(ReadOnlyStateAdmin):
    list_display = (
        "id",
        "author",
        "status",
        "level",
        "category",
        "assignee",
        "response_due_at",
        "resolution_due_at",
    )
    # The customer's details are shown in full only on the case page, to who works the case.
    readonly_fields = ("personal_data_masked",)

    @admin.display(description="personal data (masked)")
    def personal_data_masked(self, case):
        return mask_personal_data(customer_personal_data(case.author))

    list_filter = ("status", "level", "category")
    raw_id_fields = ("author", "assignee")
    list_select_related = ("author", "assignee")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "actor", "case", "comment")
    list_filter = ("action",)
    raw_id_fields = ("comment", "case", "actor")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "brand", "email")
    list_filter = ("brand",)
