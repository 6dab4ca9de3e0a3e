"""The private handoff: the channel recorded, and the public reply only drafted, for a person
to send on."""

import pytest
from django.urls import reverse
from django.utils import translation

from cases import workflow
from cases.models import Case
from core.errors import DomainError
from core.taxonomy import Category, Level
from replies import handoff
from replies import workflow as replies
from replies.models import ReplyStatus, Visibility
from tests.factories import case_with_comment, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def case(aurora, alice) -> Case:
    case = case_with_comment(
        brand=aurora, category=Category.PQR, level=Level.YELLOW, author__display_name="Juana"
    )
    workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)
    return workflow.case_move(case_id=case.pk, actor=alice, action="start")


def test_the_private_handoff_records_the_channel_and_only_drafts_the_public_reply(
    client, case, alice
):
    sign_in(client, "alice")
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert 'name="channel"' in page
    client.post(reverse("case-handoff", args=[case.pk]), {"channel": "email"})
    case.refresh_from_db()
    assert case.private_channel == "email"
    [reply] = case.replies.all()
    assert reply.template.private_handoff is True
    assert reply.template.language == "es"
    assert reply.status == ReplyStatus.DRAFT
    assert reply.visibility == Visibility.PUBLIC
    assert "privado" in reply.body
    assert f"#{case.pk}" in reply.body
    assert "Juana" in reply.body
    assert reply.published_at is None
    actions = list(case.audit_events.values_list("action", flat=True))
    assert actions[-2:] == ["private_handoff", "reply_drafted"]
    # The drafted handoff is a template: it cannot be sent on until alice makes it Juana's.
    with pytest.raises(DomainError, match=f"{reply.template.name}.*«Juana»"):
        replies.reply_submit(reply_id=reply.pk, actor=alice, tone_reviewed=True)
    reply = replies.reply_draft(
        case_id=case.pk,
        actor=alice,
        reply_id=reply.pk,
        body=reply.body + " Ya vimos el doble cobro de la cuota.",
    )
    # A yellow case: the drafted handoff still waits for a supervisor like any reply.
    reply = replies.reply_submit(reply_id=reply.pk, actor=alice, tone_reviewed=True)
    assert reply.status == ReplyStatus.PENDING_APPROVAL


def test_the_handoff_is_refused_without_a_channel_or_to_someone_else(case, alice, bruno):
    with pytest.raises(DomainError, match="channel"):
        handoff.private_handoff(case_id=case.pk, actor=alice, channel="carrier-pigeon")
    with pytest.raises(Case.DoesNotExist):
        handoff.private_handoff(case_id=case.pk, actor=bruno, channel="email")
    assert Case.objects.get(pk=case.pk).private_channel == ""
    assert not case.replies.exists()
