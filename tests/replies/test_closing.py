"""Closing in public: after a satisfied close the case suggests a short public thanks, which a
person edits and sends through the usual steps, or skips; nothing goes out on its own."""

import pytest
from django.urls import reverse

from cases import workflow
from cases.models import AuditEvent, Outcome
from core.errors import DomainError
from core.taxonomy import Level
from replies import workflow as replies
from replies.models import Reply, ReplyStatus
from tests.factories import case_with_comment

pytestmark = pytest.mark.django_db


def _closed(aurora, alice, *, satisfied: bool):
    case = case_with_comment(brand=aurora, level=Level.GREEN, author__display_name="Ana")
    workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)
    workflow.case_move(case_id=case.pk, actor=alice, action="start")
    workflow.case_move(case_id=case.pk, actor=alice, action="resolve", outcome=Outcome.SOLVED)
    return workflow.case_record_answer(
        case_id=case.pk, actor=alice, satisfied=satisfied, note="" if satisfied else "still off"
    )


def test_a_satisfied_close_suggests_a_public_thanks_that_a_person_sends_on(client, aurora, alice):
    case = _closed(aurora, alice, satisfied=True)
    client.force_login(alice)
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert 'id="public-closing"' in page
    assert "Ana" in page.split('id="public-closing"')[1].split("</section>")[0]

    client.post(
        reverse("case-public-closing", args=[case.pk]),
        {"decision": "draft", "body": "¡Qué bueno que quedó resuelto el cobro doble, Ana!"},
    )
    [closing] = Reply.objects.filter(case=case)
    assert closing.closes_publicly
    assert closing.status == ReplyStatus.DRAFT, "a draft: a person still sends it on"
    closing = replies.reply_submit(reply_id=closing.pk, actor=alice)
    replies.reply_publish(reply_id=closing.pk, actor=alice, by_hand=True)
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert 'id="public-closing"' not in page
    with pytest.raises(DomainError):
        replies.reply_draft(case_id=case.pk, actor=alice, body="otra más", closes_publicly=True)


def test_a_person_may_skip_the_public_closing_once(client, aurora, alice):
    case = _closed(aurora, alice, satisfied=True)
    client.force_login(alice)
    client.post(reverse("case-public-closing", args=[case.pk]), {"decision": "skip"})
    assert AuditEvent.objects.filter(case=case, action="public_closing_skipped").count() == 1
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert 'id="public-closing"' not in page
    assert not Reply.objects.filter(case=case).exists()


def test_no_public_closing_when_the_customer_is_not_satisfied_or_the_case_is_open(aurora, alice):
    unsatisfied = _closed(aurora, alice, satisfied=False)  # reopened by the answer
    with pytest.raises(DomainError):
        replies.reply_draft(
            case_id=unsatisfied.pk, actor=alice, body="¡Gracias Ana!", closes_publicly=True
        )
