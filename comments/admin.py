from django.contrib import admin

from comments.models import Author, Classification, Comment, CommentRevision, WebhookDelivery


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


class CommentRevisionInline(admin.TabularInline):
    model = CommentRevision
    extra = 0
    can_delete = False
    readonly_fields = ("text", "edited_at")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("external_id", "platform", "author", "category", "level", "posted_at")
    list_filter = ("level", "category", "platform", "classified_by_human")
    search_fields = ("external_id", "text", "author__handle")
    raw_id_fields = ("author", "case")
    readonly_fields = ("raw", "received_at", "deleted_at_source")
    inlines = [ClassificationInline, CommentRevisionInline]
    list_select_related = ("author",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """What a platform delivered, and what became of it: a row with an error is a person's."""

    list_display = ("pk", "source", "received_at", "processed_at", "attempts", "last_error")
    list_filter = ("source", ("processed_at", admin.EmptyFieldListFilter))
    readonly_fields = (
        "source",
        "body_text",
        "received_at",
        "next_attempt_at",
        "claimed_at",
        "processed_at",
        "attempts",
        "last_error",
        "outcome",
    )
    exclude = ("body",)

    @admin.display(description="body")
    def body_text(self, delivery) -> str:
        return bytes(delivery.body).decode("utf-8", errors="replace")
