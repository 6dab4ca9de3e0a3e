"""Answering a comment that needs no case of its own: praise, thanks, a friendly word.

Seed 002 asks to "responder buenos comentarios". Such a comment gets a light case only when a
person chooses to answer it, so the reply goes through the brand's templates and the approval
policy like any other, and resolving it closes it at once, leaving no follow-up behind.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.access import brand_ids_for, in_brands
from cases.models import Case
from cases.raising import case_open_to_answer
from cases.workflow import WORK
from comments.models import Comment
from core.errors import DomainError
from core.taxonomy import Category


@transaction.atomic
def comment_answer_open(*, comment_id: int, actor) -> Case:
    """The case to answer this comment in: its own when it has one, else a new one, the
    actor's. Two people pressing "Answer" at once share one case (the comment is locked)."""
    comment = (
        in_brands(Comment.objects.select_for_update(of=("self",)), brand_ids_for(actor, WORK))
        .select_related("brand")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        raise Comment.DoesNotExist(f"comment {comment_id}")
    if comment.case_id is not None:
        return Case.objects.get(pk=comment.case_id)
    if comment.category != Category.OTHER:
        raise DomainError(_("This comment is not in a case yet; correct its category first."))
    case = case_open_to_answer(
        brand=comment.brand,
        author_id=comment.author_id,
        thread_key=f"answer:{comment.external_id}"[:255],
        actor=actor,
        now=timezone.now(),
    )
    comment.case = case
    comment.save(update_fields=["case"])
    return case
