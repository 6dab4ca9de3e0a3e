"""A contact level called while the mail server is down, on the real stack: the level's task
retries and the notices' sweep retries, and the member is told once when it is back."""

import time
from datetime import timedelta

import pytest

from crisis import calling
from crisis.models import Crisis, CrisisNotification
from tests.crisis.helpers import escalate, member, red
from tests.outbound.test_outbox_worker import FAST_SWEEPS, FLAKY, _wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_level_called_while_smtp_is_down_reaches_its_member_once_when_it_is_back(
    aurora, carla, settings, celery_worker_factory, tmp_path
):
    boss = member("beatriz", aurora, committee_role="manager", level=2)
    escalate(aurora, [red()])  # level 1, told in this process while the server is up
    crisis = Crisis.objects.get()
    down = tmp_path / "smtp-down"
    down.write_text("down")
    worker = celery_worker_factory(
        beat=True, EMAIL_BACKEND=FLAKY, SMTP_DOWN_FLAG=down, **FAST_SWEEPS
    )
    late = crisis.level_notified_at + timedelta(minutes=settings.SEMAFORO["CRISIS_ACK_MINUTES"] + 1)
    assert calling.crises_escalate_unacknowledged(now=late) == [(crisis.pk, 2)]

    def attempts() -> int:
        notice = CrisisNotification.objects.filter(user=boss).first()
        return notice.attempts if notice else 0

    _wait_for(lambda: attempts() >= 4, worker, "retried while the server was down")
    assert worker.mails() == []

    down.unlink()
    [message] = worker.wait_for_mails(1, timeout=60)
    assert f"To: {boss.email}" in message
    _wait_for(lambda: CrisisNotification.objects.get(user=boss).sent_at is not None, worker, "sent")
    time.sleep(4)
    assert len(worker.mails()) == 1
