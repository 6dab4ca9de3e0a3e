"""Edits and deletions at the source: the desk keeps what it saw.

An author edits a comment on the platform: the comment takes the new text, the text it held is
kept as a ``CommentRevision``, and the comment is classified again; a new text may raise its
level, never lower it (the desk may already have answered or escalated what it read). An author
deletes it: the comment stays, in its case, marked as deleted at the source.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comments import intake
from comments.intake import IngestResult
from comments.models import Comment, CommentRevision
from comments.validation import validate_items
from core.pii import pii_spans


def comment_edit_at_source(*, item: dict, brand_id: int) -> IngestResult:
    """The platform says the comment now reads ``item["text"]``: store the edit.

    A comment the desk never saw arrives through intake with its edited text. Idempotent: a
    replayed edit finds the text already current and changes nothing.
    """
    [result] = intake.ingest([item], brand_id=brand_id)
    [validated] = validate_items([item], max_text_chars=settings.SEMAFORO["MAX_TEXT_CHARS"])
    now = timezone.now()
    with transaction.atomic():
        comment = Comment.objects.select_for_update().select_related("brand").get(pk=result.id)
        if comment.text == validated.text:
            return result
        CommentRevision.objects.create(comment=comment, text=comment.text, edited_at=now)
        comment.text = validated.text
        comment.pii = pii_spans(validated.text)
        intake.comments_relevel(
            brand=comment.brand,
            comments=[comment],
            now=now,
            never_lower=True,
            fields=["text", "pii"],
        )
    return IngestResult(
        index=result.index,
        id=comment.pk,
        external_id=comment.external_id,
        created=result.created,
        category=comment.category,
        level=comment.level,
        confidence=comment.confidence,
        reasons=comment.reasons,
    )


def comment_remove_at_source(*, brand_id: int, platform: str, external_id: str) -> bool:
    """The platform says the comment was deleted: mark it, keep it. False when the desk never
    saw it (there is nothing to keep) or already marked it."""
    return bool(
        Comment.objects.filter(
            brand_id=brand_id,
            platform=platform,
            external_id=external_id,
            deleted_at_source=None,
        ).update(deleted_at_source=timezone.now())
    )
