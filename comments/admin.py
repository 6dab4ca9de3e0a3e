from django.contrib import admin, messages
from django.utils.translation import gettext_lazy, ngettext

from comments.erasure import Erasure, author_erase
from comments.models import Author, Classification, Comment, CommentRevision, WebhookDelivery


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("handle", "platform", "display_name", "followers", "is_troll")
    list_filter = ("platform", "is_troll")
    search_fields = ("handle", "display_name")
    actions = ["erase_personal_data"]

    @admin.action(description=gettext_lazy("Erase their personal data (cannot be undone)"))
    def erase_personal_data(self, request, queryset):
        done = Erasure()
        for author_id in queryset.values_list("pk", flat=True):
            done.add(author_erase(author_id=author_id, actor=request.user))
        self.message_user(
            request,
            ngettext(
                "%(count)s author erased (%(comments)s comments, %(cases)s cases).",
                "%(count)s authors erased (%(comments)s comments, %(cases)s cases).",
                done.authors,
            )
            % {"count": done.authors, "comments": done.comments, "cases": done.cases},
            messages.SUCCESS,
        )


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
