"""A person's word over the model's: corrections of a comment's classification and the troll
flag on its author. Each leaves an audit event; a correction is training data."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.access import brand_ids_for, in_brands
from cases.models import AuditAction, AuditEvent
from comments import urgency
from comments.models import Author, Classification, Comment
from core.errors import DomainError
from core.taxonomy import LEVEL_RANK, Level


@transaction.atomic
def classification_correct(
    *, comment_id: int, user, category: str, level: str, note: str = ""
) -> Comment:
    """A person's category and level replace the model's; the correction is training data.

    A correction to red escalates like any other red.
    """
    comment = Comment.objects.select_for_update().get(pk=comment_id)
    before = {"category": comment.category, "level": comment.level}
    after = {"category": category, "level": level}
    if before == after and comment.classified_by_human:
        raise DomainError("nothing to change")
    now = timezone.now()
    reasons = [{"signal": "human", "evidence": user.get_username()}]
    Classification.objects.create(
        comment=comment,
        category=category,
        level=level,
        confidence=1.0,
        reasons=reasons,
        model_version="",
        is_human=True,
        decided_by=user,
        note=note,
        created_at=now,
    )
    comment.category, comment.level = category, level
    comment.level_rank = LEVEL_RANK[Level(level)]
    comment.confidence, comment.reasons, comment.classified_by_human = 1.0, reasons, True
    comment.uncertain = False
    comment.save(
        update_fields=[
            "category",
            "level",
            "level_rank",
            "confidence",
            "reasons",
            "classified_by_human",
            "uncertain",
        ]
    )
    AuditEvent.objects.create(
        actor=user,
        action=AuditAction.CLASSIFICATION_CORRECTED,
        comment=comment,
        case=comment.case,
        before=before,
        after={**after, "note": note},
        created_at=now,
    )
    urgency.comments_raised(
        brand=comment.brand,
        comment_ids=[comment.pk],
        escalate=[comment.pk] if level == Level.RED else [],
        now=now,
    )
    comment.refresh_from_db(fields=["case"])
    return comment


@transaction.atomic
def author_flag_troll(*, author_id: int, actor, is_troll: bool, note: str = "") -> Author:
    """Flag (or unflag) an author as a troll at their brand: *no alimentes al troll*.

    From now on their insults with small reach are green and wait on the monitor list instead of
    the reply queue. Unflagging needs a reason, because it puts them back in front of people.
    """
    author = (
        in_brands(Author.objects.select_for_update(), brand_ids_for(actor, "comments.flag_troll"))
        .filter(pk=author_id)
        .first()
    )
    if author is None:
        raise Author.DoesNotExist(f"author {author_id}")
    if author.is_troll == is_troll:
        raise DomainError(_("Nothing to change."))
    if not is_troll and not note.strip():
        raise DomainError(_("Say why this author is no longer treated as a troll."))
    author.is_troll = is_troll
    author.save(update_fields=["is_troll", "updated_at"])
    AuditEvent.objects.create(
        actor=actor,
        action=AuditAction.TROLL_FLAGGED if is_troll else "troll_unflagged",
        author=author,
        before={"is_troll": not is_troll},
        after={"is_troll": is_troll, "note": note.strip()},
        created_at=timezone.now(),
    )
    return author
