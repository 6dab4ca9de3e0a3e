"""Every change a person makes to a comment or case goes through here and leaves an audit event."""

from django.db import transaction
from django.utils import timezone

from comments.models import LEVEL_RANK, AuditEvent, Classification, Comment, Level
from crisis import escalation


class WorkflowError(Exception):
    """A change that the rules do not allow; the message is shown to the person."""


@transaction.atomic
def classification_correct(*, comment_id: int, user, category: str, level: str,
                           note: str = "") -> Comment:
    """A person's category and level replace the model's; the correction is training data.

    A correction to red escalates like any other red.
    """
    comment = Comment.objects.select_for_update().get(pk=comment_id)
    before = {"category": comment.category, "level": comment.level}
    after = {"category": category, "level": level}
    if before == after and comment.classified_by_human:
        raise WorkflowError("nothing to change")
    now = timezone.now()
    reasons = [{"signal": "human", "evidence": user.get_username()}]
    Classification.objects.create(
        comment=comment, category=category, level=level, confidence=1.0, reasons=reasons,
        model_version="", is_human=True, decided_by=user, note=note, created_at=now,
    )
    comment.category, comment.level = category, level
    comment.level_rank = LEVEL_RANK[Level(level)]
    comment.confidence, comment.reasons, comment.classified_by_human = 1.0, reasons, True
    comment.save(update_fields=["category", "level", "level_rank", "confidence", "reasons",
                                "classified_by_human"])
    AuditEvent.objects.create(actor=user, action="classification_corrected", comment=comment,
                              case=comment.case, before=before, after={**after, "note": note},
                              created_at=now)
    if level == Level.RED:
        escalation.escalations_create(comment_ids=[comment.pk], now=now)
    return comment
