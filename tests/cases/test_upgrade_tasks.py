"""Messages of the tasks the outbox replaced, still queued at the upgrade: each promises its
mail once, so nothing queued then is lost or doubled."""

import pytest

from cases import deadlines, departments, tasks, workflow
from cases.models import Department
from core.taxonomy import Level
from outbound.models import Mail, MailKind
from tests.factories import case_with_comment

pytestmark = pytest.mark.django_db


def test_a_queued_department_mail_is_promised_once(aurora, alice):
    billing = Department.objects.create(brand=aurora, name="Facturación", email="b@a.example")
    case = case_with_comment(brand=aurora, level=Level.GREEN)
    workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)
    workflow.case_move(case_id=case.pk, actor=alice, action="start")
    request = departments.department_request(
        case_id=case.pk, actor=alice, department_id=billing.pk, need="Reembolso", details="x"
    )
    Mail.objects.all().delete()  # as before the upgrade: the promise was the queued message
    assert tasks.mail_department([request.pk]) == 1
    assert tasks.mail_department([request.pk]) == 0
    [mail] = Mail.objects.all()
    assert (mail.kind, mail.to) == (MailKind.DEPARTMENT_REQUEST, ["b@a.example"])


def test_a_queued_deadline_alert_is_promised_once_unless_its_clock_stopped(aurora, alice):
    case = case_with_comment(brand=aurora, level=Level.GREEN)
    workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)
    [alarm] = deadlines.deadline_alarms_claim(now=case.response_due_at)
    Mail.objects.all().delete()
    assert tasks.alert_deadlines([alarm]) == 1
    assert tasks.alert_deadlines([alarm]) == 0
    assert Mail.objects.get().kind == MailKind.DEADLINE_ALERT
    workflow.case_move(case_id=case.pk, actor=alice, action="start")
    workflow.case_move(case_id=case.pk, actor=alice, action="wait_customer")
    assert tasks.alert_deadlines([[case.pk, "resolution", True]]) == 0
