"""Deadlines told once to the right people."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from cases import deadlines, workflow
from cases.models import AuditEvent, Case
from core.taxonomy import Level
from tests.factories import case_with_comment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_an_overdue_case_is_told_once_to_its_assignee_and_the_supervisors(
    aurora, alice, sam, bruno
):
    case = case_with_comment(brand=aurora, level=Level.GREEN)
    workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)
    assert deadlines.deadline_breaches_claim() == []
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert deadlines.deadline_breaches_claim() == [case.pk]
    assert deadlines.deadline_breaches_claim() == []
    assert deadlines.deadline_breach_alert(case_id=case.pk) is True
    [message] = mail.outbox
    assert sorted(message.to) == sorted([alice.email, sam.email])
    assert f"#{case.pk}" in message.subject
    assert AuditEvent.objects.filter(case=case, action="deadline_breached").count() == 1


def test_a_closed_case_is_never_told_and_a_reopened_one_gets_a_new_deadline(aurora, alice):
    case = case_with_comment(brand=aurora, level=Level.GREEN)
    workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)
    for action, extra in (
        ("start", {}),
        ("resolve", {"outcome": "solved"}),
        ("close", {"satisfied": True}),
    ):
        workflow.case_move(case_id=case.pk, actor=alice, action=action, **extra)
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert deadlines.deadline_breaches_claim() == []
    case = workflow.case_move(case_id=case.pk, actor=alice, action="reopen", note="again")
    assert case.due_at > timezone.now()
    assert case.breach_alerted_at is None


def test_one_alert_whose_mail_raises_never_holds_back_or_repeats_the_others(aurora, alice, sam):
    """Three overdue cases in one chunk; the second one's assignee has an address the mail
    library refuses. The first and third are told once each; the second keeps its error."""
    from django.contrib.auth import get_user_model

    from brands.grants import grant_role
    from brands.roles import Role

    mallet = get_user_model().objects.create_user(
        username="mallet", email="mallet@example.com\nBcc: x@y.z"
    )
    grant_role(mallet, Role.COMMUNITY_MANAGER, brand=aurora)
    cases = [case_with_comment(brand=aurora, level=Level.GREEN) for _ in range(3)]
    for case, person in zip(cases, (alice, mallet, alice), strict=True):
        workflow.case_assign(case_id=case.pk, actor=sam, assignee=person)

    assert deadlines.deadline_breaches_alert(case_ids=[c.pk for c in cases]) == 2

    assert len(mail.outbox) == 2
    assert all(f"#{case.pk}" not in m.subject for m in mail.outbox for case in cases[1:2])
    failed = Case.objects.get(pk=cases[1].pk)
    assert failed.breach_alert_attempts == 1
    assert failed.breach_alert_error.startswith("BadHeaderError")
    assert Case.objects.get(pk=cases[0].pk).breach_alert_error == ""
