"""A case's two clocks on a controlled clock: each warns and breaches once, the first published
reply stops the first one, waiting pauses the second, a closed case is never told and a
reopened one is watched again."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone, translation

from brands.grants import grant_role
from brands.roles import Role
from cases import deadlines, workflow
from cases.models import AuditEvent, Case
from core.taxonomy import Level
from outbound.models import Mail
from replies import workflow as replies
from tests.factories import case_with_comment, send_mails

pytestmark = pytest.mark.django_db
REPLY = (
    "Hola Ana, lamentamos mucho el doble cobro. Ya lo revisamos con facturacion y te "
    "escribimos en privado hoy mismo."
)
GREEN_RESPONSE = timedelta(minutes=480)  # the desk's defaults (settings.SEMAFORO)
GREEN_RESOLUTION = timedelta(minutes=4320)
WARN = timedelta(minutes=15)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def case(aurora, alice):
    case = case_with_comment(brand=aurora, level=Level.GREEN, author__display_name="Ana")
    return workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)


def _claimed_at(moment) -> list[list]:
    return deadlines.deadline_alarms_claim(now=moment)


def test_the_first_response_warns_before_its_deadline_and_at_it_each_once(case, alice, sam):
    opened = case.opened_at
    assert _claimed_at(opened + GREEN_RESPONSE - WARN - timedelta(minutes=1)) == []
    assert _claimed_at(opened + GREEN_RESPONSE - WARN) == [[case.pk, "response", False]]
    assert _claimed_at(opened + GREEN_RESPONSE - timedelta(minutes=1)) == []
    assert _claimed_at(opened + GREEN_RESPONSE) == [[case.pk, "response", True]]
    assert _claimed_at(opened + GREEN_RESPONSE + timedelta(minutes=5)) == []

    assert send_mails() == 2
    warning, message = mail.outbox
    assert sorted(message.to) == sorted([alice.email, sam.email])
    assert f"#{case.pk}" in warning.subject
    # In the brand's language, whoever's request made it.
    assert message.subject == f"[Semáforo] Caso #{case.pk}: la primera respuesta está vencida"
    kinds = AuditEvent.objects.filter(case=case, action__startswith="deadline_")
    assert sorted(kinds.values_list("action", "after__clock")) == [
        ("deadline_breached", "response"),
        ("deadline_warned", "response"),
    ]


def test_a_watch_that_was_down_past_a_deadline_tells_the_breach_alone(case):
    assert _claimed_at(case.opened_at + GREEN_RESPONSE + timedelta(hours=1)) == [
        [case.pk, "response", True]
    ]


def test_the_first_published_reply_stops_the_first_response_clock(case, alice):
    reply = replies.reply_draft(case_id=case.pk, actor=alice, body=REPLY)
    replies.reply_submit(reply_id=reply.pk, actor=alice)
    replies.reply_publish(reply_id=reply.pk, actor=alice, by_hand=True)
    case.refresh_from_db()
    assert case.responded_at is not None
    assert AuditEvent.objects.filter(case=case, action="first_response").count() == 1
    # Only the resolution clock is left to watch.
    assert case.alarm_at == case.resolution_due_at - WARN
    assert _claimed_at(case.opened_at + GREEN_RESPONSE + timedelta(minutes=1)) == []
    assert _claimed_at(case.resolution_due_at) == [[case.pk, "resolution", True]]


def test_waiting_on_the_customer_pauses_the_resolution_and_the_wait_moves_its_deadline(case, alice):
    workflow.case_move(case_id=case.pk, actor=alice, action="start")
    case = workflow.case_move(case_id=case.pk, actor=alice, action="wait_customer")
    assert case.paused_at is not None
    due_before = case.resolution_due_at
    two_hours_ago = timezone.now() - timedelta(hours=2)
    Case.objects.filter(pk=case.pk).update(paused_at=two_hours_ago)
    # Paused: the resolution says nothing even past its deadline (the response still runs).
    assert [a for a in _claimed_at(due_before + timedelta(hours=1)) if a[1] == "resolution"] == []

    case = workflow.case_move(case_id=case.pk, actor=alice, action="resume")
    assert case.paused_at is None
    assert 7199 <= case.paused_seconds <= 7260
    assert case.resolution_due_at - due_before == timedelta(seconds=case.paused_seconds)
    resumed = AuditEvent.objects.get(case=case, action="case_resume")
    assert resumed.after["paused_for_s"] == case.paused_seconds
    paused = AuditEvent.objects.get(case=case, action="case_wait_customer")
    assert paused.after["paused"] is True


def test_a_closed_case_is_never_told_and_a_reopened_one_gets_fresh_clocks(case, alice):
    for action, extra in (
        ("start", {}),
        ("resolve", {"outcome": "solved"}),
        ("close", {"satisfied": True}),
    ):
        case = workflow.case_move(case_id=case.pk, actor=alice, action=action, **extra)
    assert case.alarm_at is None
    assert _claimed_at(case.opened_at + GREEN_RESOLUTION + timedelta(days=1)) == []

    case = workflow.case_move(case_id=case.pk, actor=alice, action="reopen", note="again")
    now = timezone.now()
    assert case.response_due_at - now == pytest.approx(GREEN_RESPONSE, abs=timedelta(seconds=5))
    assert case.responded_at is None
    assert case.alarm_at == case.response_due_at - WARN
    assert _claimed_at(case.response_due_at) == [[case.pk, "response", True]]


def test_an_alarm_for_a_clock_that_stopped_since_is_not_mailed(case, alice):
    """The mail server was down when the breach was claimed; the first reply went out before it
    came back: the alert, moot now, is withdrawn instead of sent late."""
    [[case_id, clock, breach]] = _claimed_at(case.opened_at + GREEN_RESPONSE)
    assert Mail.objects.filter(sent_at=None).count() == 1
    reply = replies.reply_draft(case_id=case.pk, actor=alice, body=REPLY)
    replies.reply_submit(reply_id=reply.pk, actor=alice)
    replies.reply_publish(reply_id=reply.pk, actor=alice, by_hand=True)
    assert send_mails() == 0
    assert mail.outbox == []
    assert not Mail.objects.exists()


def test_a_brand_sets_its_own_resolution_time_and_warning(aurora, alice):
    aurora.resolve_green_minutes, aurora.deadline_warn_minutes = 60, 30
    aurora.save()
    case = case_with_comment(brand=aurora, level=Level.GREEN)
    case.refresh_from_db()
    assert case.resolution_due_at - case.opened_at == timedelta(minutes=60)
    assert _claimed_at(case.opened_at + timedelta(minutes=30)) == [[case.pk, "resolution", False]]


def test_one_alert_whose_mail_raises_never_holds_back_or_repeats_the_others(aurora, alice, sam):
    """Three overdue cases in one pass; the second one's assignee has an address the mail
    library refuses. The first and third are told once each, even when the chunk is sent
    again; the second keeps its error and is retried on its own."""
    mallet = get_user_model().objects.create_user(
        username="mallet", email="mallet@example.com\nBcc: x@y.z"
    )
    grant_role(mallet, Role.COMMUNITY_MANAGER, brand=aurora)
    cases = [case_with_comment(brand=aurora, level=Level.GREEN) for _ in range(3)]
    for case, person in zip(cases, (alice, mallet, alice), strict=True):
        workflow.case_assign(case_id=case.pk, actor=sam, assignee=person)
    late = max(case.response_due_at for case in Case.objects.all())
    assert len(_claimed_at(late)) == 3

    assert send_mails() == 2
    assert send_mails() == 0  # the chunk again: nothing already sent goes twice
    assert len(mail.outbox) == 2
    assert all(f"#{cases[1].pk}:" not in message.subject for message in mail.outbox)
    [failed] = Mail.objects.filter(sent_at=None)
    assert f"#{cases[1].pk}:" in failed.subject
    assert failed.attempts == 1
    assert failed.last_error.startswith("BadHeaderError")
    assert failed.next_attempt_at > timezone.now()
