"""Good comments get answered: praise waits in its own view of the queue, a person answers it
in a light case with the brand's templates, and resolving it leaves no follow-up behind."""

import pytest
from django.urls import reverse
from django.utils import translation

from cases import workflow
from cases.models import CaseStatus, FollowUp, Outcome
from comments import answering
from comments.models import Comment
from core.errors import DomainError
from replies import templated
from replies import workflow as replies
from tests.factories import comment_item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


PRAISE = "Gracias @BancoAurora, excelente atencion hoy en la sucursal del centro!"


def _praise(ingest, external_id="praise-1") -> Comment:
    [result] = ingest([comment_item(text=PRAISE, external_id=external_id)])
    comment = Comment.objects.get(pk=result.id)
    assert (comment.category, comment.case) == ("other", None)
    return comment


def test_praise_waits_for_a_thank_you_in_its_own_view_until_someone_answers(client, ingest, alice):
    comment = _praise(ingest)
    ingest([comment_item(text="me cobraron dos veces la cuota", external_id="claim")])
    client.force_login(alice)
    waiting = client.get(reverse("queue-rows"), {"status": "thanks"}).context["page"]
    assert [c.pk for c in waiting.object_list] == [comment.pk]

    response = client.post(reverse("comment-answer", args=[comment.pk]))
    comment.refresh_from_db()
    assert response.url == reverse("case-detail", args=[comment.case_id])
    waiting = client.get(reverse("queue-rows"), {"status": "thanks"}).context["page"]
    assert list(waiting.object_list) == []


def test_a_thank_you_uses_the_brands_template_and_closes_without_follow_ups(ingest, alice):
    comment = _praise(ingest)
    case = answering.comment_answer_open(comment_id=comment.pk, actor=alice)
    assert (case.category, case.level, case.assignee) == ("other", "green", alice)
    assert case.alarm_at is None
    assert answering.comment_answer_open(comment_id=comment.pk, actor=alice).pk == case.pk

    [thanks] = [
        t
        for t in replies.protocols.protocol_for(
            brand=case.brand, category=case.category, level=case.level
        ).templates.all()
        if t.language == "es"
    ]
    body = (
        templated.template_text(thanks, case)
        + " Que bueno que la sucursal del centro te atendio bien."
    )
    reply = replies.reply_draft(case_id=case.pk, actor=alice, body=body)
    reply = replies.reply_submit(reply_id=reply.pk, actor=alice)
    replies.reply_publish(reply_id=reply.pk, actor=alice, by_hand=True)
    case = workflow.case_move(
        case_id=case.pk, actor=alice, action="resolve", outcome=Outcome.SOLVED
    )

    assert case.status == CaseStatus.CLOSED
    assert not FollowUp.objects.filter(case=case).exists()


def test_a_negative_comment_is_answered_in_its_own_case_only(ingest, alice, bruno):
    [claim] = ingest([comment_item(text="me cobraron dos veces la cuota", external_id="c")])
    own = Comment.objects.get(pk=claim.id).case
    assert answering.comment_answer_open(comment_id=claim.id, actor=alice).pk == own.pk
    praise = _praise(ingest)
    with pytest.raises(Comment.DoesNotExist):
        answering.comment_answer_open(comment_id=praise.pk, actor=bruno)


def test_a_comment_neither_praised_nor_cased_is_refused_with_a_reason(ingest, alice):
    comment = _praise(ingest)
    Comment.objects.filter(pk=comment.pk).update(category="pqr")
    with pytest.raises(DomainError, match="correct its category"):
        answering.comment_answer_open(comment_id=comment.pk, actor=alice)
