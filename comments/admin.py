from django.contrib import admin

from comments.models import Author, Classification, Comment


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
