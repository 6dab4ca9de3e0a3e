from django.contrib import admin

from comments.models import AuditEvent, Author, Case, Classification, Comment, Department
from comments.privacy import mask_personal_data


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("handle", "platform", "display_name", "followers", "is_troll")
    list_filter = ("platform", "is_troll")
    search_fields = ("handle", "display_name")


class ClassificationInline(admin.TabularInline):
    model = Classification
    extra = 0
    can_delete = False
    readonly_fields = (
        "category",
        "level",
        "confidence",
        "reasons",
        "model_version",
        "is_human",
        "decided_by",
        "note",
        "created_at",
    )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("external_id", "platform", "author", "category", "level", "posted_at")
    list_filter = ("level", "category", "platform", "classified_by_human")
    search_fields = ("external_id", "text", "author__handle")
    raw_id_fields = ("author", "case")
    readonly_fields = ("raw", "received_at")
    inlines = [ClassificationInline]
    list_select_related = ("author",)


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("id", "author", "status", "level", "category", "assignee", "due_at")
    # The customer's details are shown in full only on the case page, to who works the case.
    exclude = ("personal_data",)
    readonly_fields = ("personal_data_masked",)

    @admin.display(description="personal data (masked)")
    def personal_data_masked(self, case):
        return mask_personal_data(case.personal_data)

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
