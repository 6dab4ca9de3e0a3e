"""The evaluation: facts measured from records with known times, the committee's words, export."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis import statements, transitions
from crisis.models import CrisisStatus, Escalation, PostMortem, StatementStatus
from crisis.postmortem import postmortem_facts
from replies.models import Reply, ReplyStatus, Visibility
from tests.crisis.helpers import escalate, member, red
from tests.factories import sign_in

pytestmark = pytest.mark.django_db

T0 = (timezone.now() - timedelta(hours=5)).replace(microsecond=0)


def at(minutes: float):
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def closed_crisis(aurora, carla, alice):
    """A red posted at T0, escalated at +2 min, the committee told at +3, a reply approved in
    5 min and published at +20, a statement at +30, contained at +60, closed at +90."""
    [row] = escalate(aurora, [red(posted_at=T0.isoformat(), author_followers=40_000)])
    crisis = row.crisis
    Escalation.objects.filter(pk=row.pk).update(created_at=at(2))
    type(crisis).objects.filter(pk=crisis.pk).update(notified_at=at(3))
    Reply.objects.create(
        case=row.comment.case,
        brand=aurora,
        author=alice,
        body="Lo sentimos",
        visibility=Visibility.PUBLIC,
        status=ReplyStatus.PUBLISHED,
        needs_approval=True,
        submitted_at=at(10),
        reviewed_at=at(15),
        published_at=at(20),
    )
    manager = member("beatriz", aurora, committee_role="manager")
    draft = statements.statement_draft(
        crisis_id=crisis.pk, actor=carla, body="Lamentamos lo ocurrido: ya devolvemos cada cobro."
    )
    statements.statement_approve(statement_id=draft.pk, actor=manager)
    statements.statement_publish(statement_id=draft.pk, actor=carla, by_hand=True)
    draft.refresh_from_db()
    type(draft).objects.filter(pk=draft.pk).update(published_at=at(30))
    assert draft.status == StatementStatus.SENT_BY_HAND
    transitions.crisis_transition(
        crisis_id=crisis.pk, actor=carla, to=CrisisStatus.CONTAINED, now=at(60)
    )
    transitions.crisis_transition(
        crisis_id=crisis.pk, actor=carla, to=CrisisStatus.CLOSED, now=at(90)
    )
    return crisis


def test_the_evaluation_opens_with_the_measured_times(closed_crisis):
    facts = PostMortem.objects.get(crisis=closed_crisis).facts
    assert facts["time_to_detect_s"] == 120
    assert facts["time_to_notify_s"] == 180
    assert facts["time_to_acknowledge_s"] == 60 * 60  # containing it acknowledged it
    assert facts["time_to_first_response_s"] == 20 * 60  # the reply came before the statement
    assert facts["time_to_containment_s"] == 60 * 60
    assert (facts["comments"], facts["authors"], facts["reach"]) == (1, 1, 40_000)
    assert facts["replies_sent"] == 1
    assert facts["approval_times_s"] == [300]
    assert facts["approval_median_s"] == 300


def test_the_statement_counts_when_no_reply_went_out(closed_crisis):
    Reply.objects.all().delete()
    closed_crisis.refresh_from_db()
    facts = postmortem_facts(crisis=closed_crisis)
    assert facts["time_to_first_response_s"] == 30 * 60
    assert facts["replies_sent"] == 0
    assert facts["approval_median_s"] is None


def test_the_committee_writes_the_evaluation_and_downloads_it(client, closed_crisis):
    sign_in(client, "carla")
    page = client.get(reverse("crisis-postmortem", args=[closed_crisis.pk]))
    assert page.status_code == 200
    assert "0:02:00" in page.content.decode()
    assert "1:00:00" in page.content.decode()
    client.post(
        reverse("crisis-postmortem", args=[closed_crisis.pk]),
        {
            "what_failed": "Nobody answered on the weekend",
            "what_to_improve": "A weekend contact level",
            "reply_quality": "Calm, but late",
        },
    )
    evaluation = PostMortem.objects.get(crisis=closed_crisis)
    assert evaluation.what_failed == "Nobody answered on the weekend"
    assert evaluation.facts["time_to_detect_s"] == 120  # the facts stay
    document = client.get(reverse("crisis-postmortem-export", args=[closed_crisis.pk]))
    assert document["Content-Disposition"].endswith('evaluation.md"')
    text = document.content.decode()
    assert text.startswith("# ")
    assert "| 0:02:00 |" in text
    assert "| 0:20:00 |" in text
    assert "Nobody answered on the weekend" in text


def test_an_open_crisis_has_no_evaluation_yet(client, aurora, carla):
    [row] = escalate(aurora, [red()])
    sign_in(client, "carla")
    assert client.get(reverse("crisis-postmortem", args=[row.crisis_id])).status_code == 404


def test_another_brand_cannot_read_the_evaluation(client, closed_crisis, rapimenu):
    member("rita", rapimenu)
    sign_in(client, "rita")
    url = reverse("crisis-postmortem-export", args=[closed_crisis.pk])
    assert client.get(url).status_code == 404
