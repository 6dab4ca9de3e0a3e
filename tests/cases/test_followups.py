"""Follow-ups until the customer is satisfied: scheduled on resolution, claimed when due, a
person asked to send them, the customer's answer through a signed link."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from cases import followups, workflow
from cases.models import AuditEvent, Case, CaseStatus, FollowUp, Outcome
from core.errors import DomainError
from core.links import LinkError
from core.taxonomy import Level
from outbound.models import Mail
from tests.factories import case_with_comment, send_mails, signed_hours_ago

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def resolved(aurora, alice):
    case = case_with_comment(brand=aurora, level=Level.GREEN, author__display_name="Ana")
    workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)
    workflow.case_move(case_id=case.pk, actor=alice, action="start")
    return workflow.case_move(
        case_id=case.pk, actor=alice, action="resolve", outcome=Outcome.SOLVED
    )


def _make_due(follow_up: FollowUp) -> None:
    FollowUp.objects.filter(pk=follow_up.pk).update(due_at=timezone.now() - timedelta(minutes=1))


def test_resolving_schedules_the_first_follow_up_for_the_next_day(resolved):
    [follow_up] = resolved.follow_ups.all()
    assert follow_up.number == 1
    expected = resolved.resolved_at + timedelta(hours=24)
    assert abs(follow_up.due_at - expected) < timedelta(seconds=1)


def test_a_pass_claims_only_what_is_due_and_a_second_pass_claims_nothing(resolved):
    assert followups.follow_ups_claim_due() == []
    [follow_up] = resolved.follow_ups.all()
    _make_due(follow_up)
    assert followups.follow_ups_claim_due() == [follow_up.pk]
    assert followups.follow_ups_claim_due() == []


def test_a_due_follow_up_asks_the_assignee_once_and_schedules_the_next(resolved, alice):
    [follow_up] = resolved.follow_ups.all()
    assert followups.follow_up_prompt(follow_up_id=follow_up.pk) is True
    assert followups.follow_up_prompt(follow_up_id=follow_up.pk) is False
    assert send_mails() == 1
    [message] = mail.outbox
    assert message.to == [alice.email]
    assert "Hola Ana" in message.body  # in the brand's language, Spanish at Aurora
    assert re.search(r"http://\S+/s/\S+/", message.body)
    assert list(resolved.follow_ups.values_list("number", flat=True)) == [1, 2]


def test_after_the_last_unanswered_check_the_case_closes_as_no_answer_and_its_person_is_told(
    resolved, alice, settings
):
    settings.SEMAFORO = {**settings.SEMAFORO, "FOLLOW_UP_MAX": 2}
    for number in (1, 2):
        followups.follow_up_prompt(follow_up_id=resolved.follow_ups.get(number=number).pk)
    closing = resolved.follow_ups.get(number=3)
    assert closing.closes_case
    assert Case.objects.get(pk=resolved.pk).status == CaseStatus.RESOLVED

    assert followups.follow_up_prompt(follow_up_id=closing.pk) is True

    case = Case.objects.get(pk=resolved.pk)
    assert (case.status, case.satisfied) == (CaseStatus.CLOSED, None)
    event = AuditEvent.objects.get(case=case, action="case_closed_no_answer")
    assert event.after["checks"] == 2
    assert send_mails() == 3
    closed_mail = mail.outbox[-1]
    assert closed_mail.to == [alice.email]
    assert f"#{case.pk}" in closed_mail.subject
    assert resolved.follow_ups.count() == 3, "no check after the close"


def test_a_newer_check_supersedes_the_older_link(client, resolved):
    first = resolved.follow_ups.get(number=1)
    followups.follow_up_prompt(follow_up_id=first.pk)
    second = resolved.follow_ups.get(number=2)
    followups.follow_up_prompt(follow_up_id=second.pk)

    stale = client.post(_link(first), {"satisfied": "no"})
    assert stale.status_code == 410
    assert Case.objects.get(pk=resolved.pk).status == CaseStatus.RESOLVED, "nothing reopened"
    with pytest.raises(DomainError):
        followups.follow_up_answer(follow_up_id=first.pk, satisfied=False)

    current = resolved.follow_ups.get(number=3)
    client.post(_link(current), {"satisfied": "yes"})
    assert Case.objects.get(pk=resolved.pk).status == CaseStatus.CLOSED


def test_a_link_cancelled_by_a_reopen_changes_nothing(client, resolved, alice):
    [follow_up] = resolved.follow_ups.all()
    workflow.case_move(case_id=resolved.pk, actor=alice, action="reopen", note="wrote again")
    response = client.post(_link(follow_up), {"satisfied": "yes"})
    assert response.status_code == 410
    assert Case.objects.get(pk=resolved.pk).status == CaseStatus.IN_PROGRESS


@pytest.mark.parametrize("route", ["case page", "customer link"])
def test_a_case_reopened_by_either_route_schedules_follow_ups_again_when_resolved(
    client, resolved, alice, route
):
    [first] = resolved.follow_ups.all()
    if route == "case page":
        workflow.case_move(case_id=resolved.pk, actor=alice, action="reopen", note="again")
    else:
        client.post(_link(first), {"satisfied": "no", "comment": "still charged"})
    case = workflow.case_move(
        case_id=resolved.pk, actor=alice, action="resolve", outcome=Outcome.SOLVED
    )
    pending = case.follow_ups.filter(cancelled_at=None, answered_at=None)
    [again] = pending
    assert (again.number, again.attempt) == (2, 1)
    assert again.due_at > timezone.now() + timedelta(hours=23)


def _link(client_follow_up: FollowUp) -> str:
    return reverse("satisfaction", args=[followups.SATISFACTION_LINK.token(client_follow_up.pk)])


def test_a_satisfied_customer_closes_the_case_through_the_link(client, resolved):
    [follow_up] = resolved.follow_ups.all()
    url = _link(follow_up)
    page = client.get(url)
    assert page.status_code == 200
    assert "Banco Aurora" in page.content.decode()
    client.post(url, {"satisfied": "yes", "comment": "todo bien"})
    resolved.refresh_from_db()
    assert (resolved.status, resolved.satisfied) == (CaseStatus.CLOSED, True)
    event = AuditEvent.objects.get(case=resolved, action="follow_up_answered")
    assert event.actor is None
    assert event.after["via"] == "customer link"
    client.post(url, {"satisfied": "no"})  # a second answer changes nothing
    resolved.refresh_from_db()
    assert resolved.status == CaseStatus.CLOSED


def test_a_used_satisfaction_link_says_so_and_never_acts_twice(client, resolved):
    """The link is a bearer credential: once it answered, posting to it again (a replay, a
    second person with the forwarded mail) answers 409 with a page that says it was used, and
    the case stays as the first answer left it. Opening it still only reads."""
    [follow_up] = resolved.follow_ups.all()
    url = _link(follow_up)
    assert client.post(url, {"satisfied": "no", "comment": "sigue"}).status_code == 200
    reopened = Case.objects.get(pk=resolved.pk)
    assert reopened.status == CaseStatus.IN_PROGRESS

    again = client.post(url, {"satisfied": "yes"})
    assert again.status_code == 409
    assert 'data-link="used"' in again.content.decode()
    opened = client.get(url)
    assert opened.status_code == 200
    assert 'data-link="used"' in opened.content.decode()
    assert Case.objects.get(pk=resolved.pk).status == CaseStatus.IN_PROGRESS
    assert AuditEvent.objects.filter(case=resolved, action="follow_up_answered").count() == 1
    with pytest.raises(LinkError) as used:
        followups.follow_up_answer(follow_up_id=follow_up.pk, satisfied=True)
    assert used.value.used


def test_a_satisfaction_link_holds_three_days_not_a_week(client, resolved):
    [follow_up] = resolved.follow_ups.all()
    with signed_hours_ago(71):
        fresh = _link(follow_up)
    with signed_hours_ago(73):
        old = _link(follow_up)
    assert client.get(fresh).status_code == 200
    assert client.post(old, {"satisfied": "yes"}).status_code == 410
    assert Case.objects.get(pk=resolved.pk).status == CaseStatus.RESOLVED


def test_an_unsatisfied_customer_reopens_the_case(client, resolved):
    [follow_up] = resolved.follow_ups.all()
    client.post(_link(follow_up), {"satisfied": "no", "comment": "sigue el doble cobro"})
    resolved.refresh_from_db()
    assert (resolved.status, resolved.outcome) == (CaseStatus.IN_PROGRESS, "")
    follow_up.refresh_from_db()
    assert (follow_up.satisfied, follow_up.answer) == (False, "sigue el doble cobro")


def test_a_case_reopened_by_the_customer_gets_a_fresh_deadline_as_from_the_case_page(
    client, resolved, alice
):
    """One rule for every reopen: the deadline runs again from the reopening, and is watched."""
    long_ago = timezone.now() - timedelta(days=3)
    Case.objects.filter(pk=resolved.pk).update(
        response_due_at=long_ago, response_breached_at=long_ago, resolution_due_at=long_ago
    )
    [follow_up] = resolved.follow_ups.all()

    client.post(_link(follow_up), {"satisfied": "no", "comment": "sigue el doble cobro"})

    resolved.refresh_from_db()
    assert resolved.response_due_at > timezone.now()
    assert resolved.resolution_due_at > timezone.now()
    assert resolved.alarm_at is not None
    assert resolved.response_breached_at is None


def test_a_tampered_link_is_refused(client, resolved):
    [follow_up] = resolved.follow_ups.all()
    token = followups.SATISFACTION_LINK.token(follow_up.pk)
    response = client.post(reverse("satisfaction", args=[token[:-2] + "xx"]), {"satisfied": "yes"})
    assert response.status_code == 400
    resolved.refresh_from_db()
    assert resolved.status == CaseStatus.RESOLVED


def test_an_expired_link_is_refused(client, resolved, settings):
    [follow_up] = resolved.follow_ups.all()
    url = _link(follow_up)
    settings.SEMAFORO = {**settings.SEMAFORO, "SATISFACTION_LINK_H": -1}
    response = client.post(url, {"satisfied": "yes"})
    assert response.status_code == 410
    resolved.refresh_from_db()
    assert resolved.status == CaseStatus.RESOLVED


def test_a_person_records_the_answer_they_got(resolved, alice):
    with pytest.raises(DomainError, match="still needs"):
        workflow.case_record_answer(case_id=resolved.pk, actor=alice, satisfied=False)
    case = workflow.case_record_answer(
        case_id=resolved.pk, actor=alice, satisfied=True, note="called her"
    )
    assert (case.status, case.satisfied) == (CaseStatus.CLOSED, True)
    [follow_up] = case.follow_ups.all()
    assert follow_up.answered_by == alice
    assert followups.follow_ups_claim_due(now=timezone.now() + timedelta(days=30)) == []


def test_closing_or_reopening_cancels_pending_follow_ups(resolved, alice):
    workflow.case_move(case_id=resolved.pk, actor=alice, action="reopen", note="wrote again")
    assert resolved.follow_ups.get().cancelled_at is not None
    assert followups.follow_ups_claim_due(now=timezone.now() + timedelta(days=30)) == []


def test_one_follow_up_whose_mail_raises_never_holds_back_the_rest_of_its_chunk(aurora, alice, sam):
    """The first case's assignee has an address the mail library refuses; the second case of
    the same chunk is still prompted, and the first's mail keeps its error and is tried again
    on its own."""
    from django.contrib.auth import get_user_model

    def resolved_for(person):
        case = case_with_comment(brand=aurora, level=Level.GREEN)
        workflow.case_assign(case_id=case.pk, actor=sam, assignee=person)
        workflow.case_move(case_id=case.pk, actor=person, action="start")
        workflow.case_move(case_id=case.pk, actor=person, action="resolve", outcome=Outcome.SOLVED)
        return case.follow_ups.get()

    poisoned, ordinary = resolved_for(alice), resolved_for(sam)
    get_user_model().objects.filter(pk=alice.pk).update(email="alice@example.com\nBcc: x@y.z")

    assert followups.follow_ups_prompt(follow_up_ids=[poisoned.pk, ordinary.pk]) == 2
    assert send_mails() == 1

    [message] = mail.outbox
    assert message.to == [sam.email]
    poisoned.refresh_from_db()
    assert poisoned.prompted_at is not None
    [failing] = Mail.objects.filter(sent_at=None)
    assert failing.key == f"follow-up:{poisoned.pk}:prompt"
    assert failing.attempts == 1
    assert failing.last_error.startswith("BadHeaderError")


def test_a_claim_whose_message_was_lost_is_taken_again_by_a_later_pass(resolved):
    """The broker restarted empty after the pass claimed the follow-up: nothing will prompt it.
    Once the claim is older than its timeout, a pass claims it again."""
    [follow_up] = resolved.follow_ups.all()
    _make_due(follow_up)
    assert followups.follow_ups_claim_due() == [follow_up.pk]
    later = timezone.now() + followups.PROMPT_CLAIM_TIMEOUT - timedelta(seconds=5)
    assert followups.follow_ups_claim_due(now=later) == []
    much_later = timezone.now() + followups.PROMPT_CLAIM_TIMEOUT + timedelta(seconds=5)
    assert followups.follow_ups_claim_due(now=much_later) == [follow_up.pk]
    assert followups.follow_up_prompt(follow_up_id=follow_up.pk) is True
    assert followups.follow_ups_claim_due(now=much_later + timedelta(hours=1)) == []


def test_a_handle_with_a_line_break_is_one_line_in_the_subject(resolved, alice):
    resolved.author.__class__.objects.filter(pk=resolved.author_id).update(
        handle="@ana\nBcc: everyone@example.com"
    )
    [follow_up] = resolved.follow_ups.all()
    assert followups.follow_up_prompt(follow_up_id=follow_up.pk) is True
    assert send_mails() == 1
    [message] = mail.outbox
    assert "@ana Bcc: everyone@example.com" in message.subject
    assert "\n" not in message.subject
