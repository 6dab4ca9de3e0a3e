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
