"""Beat running twice by mistake (two workers started with -B, as on two machines): every
periodic job stays single. Each job claims its rows with a conditional update or a row lock, so
the second beat's run of it finds nothing left to do."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from cases import workflow
from cases.models import Case, FollowUp, Outcome
from core.taxonomy import Level
from crisis.models import Crisis, CrisisNotification
from outbound.models import Mail, MailKind
from tests.crisis.helpers import escalate, member, red
from tests.factories import case_with_comment
from tests.outbound.test_outbox_worker import FAST_SWEEPS

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

EVERY_SECOND = {
    "SEMAFORO_DEADLINE_INTERVAL_S": 1,
    "SEMAFORO_FOLLOW_UP_INTERVAL_S": 1,
    "SEMAFORO_CRISIS_ACK_INTERVAL_S": 1,
    "SEMAFORO_DEPARTMENT_INTERVAL_S": 1,
    "SEMAFORO_SWEEP_INTERVAL_S": 1,
    **FAST_SWEEPS,
}


def _due_work(aurora, alice, settings):
    """A follow-up due, a response deadline passed, and a crisis nobody acknowledged."""
    resolved = case_with_comment(brand=aurora, level=Level.GREEN)
    workflow.case_assign(case_id=resolved.pk, actor=alice, assignee=alice)
    workflow.case_move(case_id=resolved.pk, actor=alice, action="start")
    workflow.case_move(case_id=resolved.pk, actor=alice, action="resolve", outcome=Outcome.SOLVED)
    FollowUp.objects.filter(case=resolved).update(due_at=timezone.now() - timedelta(seconds=1))

    late = case_with_comment(brand=aurora, level=Level.GREEN)
    workflow.case_assign(case_id=late.pk, actor=alice, assignee=alice)
    past = timezone.now() - timedelta(minutes=1)
    Case.objects.filter(pk=late.pk).update(response_due_at=past, alarm_at=past)

    escalate(aurora, [red()])  # level 1 told in this process
    ack_minutes = settings.SEMAFORO["CRISIS_ACK_MINUTES"]
    Crisis.objects.update(level_notified_at=timezone.now() - timedelta(minutes=ack_minutes + 1))


def test_two_beats_run_each_periodic_job_once(
    aurora, alice, carla, settings, celery_worker_factory, tmp_path
):
    boss = member("beatriz", aurora, committee_role="manager", level=2)
    _due_work(aurora, alice, settings)
    level_one = len(Mail.objects.all()) + CrisisNotification.objects.count()  # told already

    workers = [
        celery_worker_factory(beat=True, schedule=tmp_path / f"beat-{n}", **EVERY_SECOND)
        for n in range(2)
    ]
    kinds = {MailKind.FOLLOW_UP_PROMPT, MailKind.DEADLINE_ALERT}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        sent = set(Mail.objects.filter(sent_at__isnull=False).values_list("kind", flat=True))
        boss_told = CrisisNotification.objects.filter(user=boss, sent_at__isnull=False).exists()
        if kinds <= sent and boss_told:
            break
        assert all(w.process.poll() is None for w in workers), workers[0].stop()[-3000:]
        time.sleep(0.2)
    else:
        raise AssertionError(f"the jobs never ran: {sent}, boss told: {boss_told}")
    time.sleep(6)  # several runs of every job by both beats

    mails = workers[0].mails()  # one folder for both workers
    assert Mail.objects.filter(kind=MailKind.FOLLOW_UP_PROMPT).count() == 1
    assert CrisisNotification.objects.filter(user=boss).count() == 1
    expected = Mail.objects.count() + CrisisNotification.objects.count() - level_one
    assert len(mails) == expected, [m.splitlines()[:6] for m in mails]
    assert sum(f"To: {boss.email}" in m for m in mails) == 1
