"""No loss, no double: a crisis worker killed (SIGKILL) in the middle of notifying the
committee — the first member already mailed, the second one's mail under way — then
restarted: the sweep hands the escalation over once its claim is stale, and every member has
exactly one notice."""

import signal
import time

import pytest

from crisis.models import CrisisNotification, Escalation
from tests.crisis.helpers import member
from tests.crisis.test_worker import push
from tests.factories import RED_TEXT, comment_item

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SLOW = "tests.crisis.slow_mail.EmailBackend"


def _wait_for(path, worker, timeout=40.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return
        assert worker.process.poll() is None, worker.stop()[-3000:]
        time.sleep(0.1)
    raise AssertionError("the worker never started the notification:\n" + worker.stop()[-3000:])


def test_a_worker_killed_mid_notification_loses_nothing_and_doubles_nothing(
    api, aurora, carla, celery_worker_factory, tmp_path
):
    diego = member("diego", aurora, committee_role="manager")
    mark = tmp_path / "sending"
    first = celery_worker_factory(
        EMAIL_BACKEND=SLOW,
        SLOW_MAIL_S=60,
        SLOW_MAIL_MARK=mark,
        SLOW_MAIL_AFTER=1,
        SEMAFORO_CRISIS_CLAIM_TIMEOUT_S=3,
    )
    [result] = push(api, [comment_item(text=RED_TEXT)])
    _wait_for(mark, first)

    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    first.stop()
    escalation = Escalation.objects.get(comment_id=result["id"])
    assert escalation.notified_at is None
    assert escalation.claimed_at is not None
    [carlas] = first.mails()  # carla (level 1, first by name) was told before the kill
    assert f"To: {carla.email}" in carlas

    second = celery_worker_factory(
        beat=True,
        EMAIL_BACKEND=SLOW,
        SEMAFORO_CRISIS_CLAIM_TIMEOUT_S=3,
        SEMAFORO_ESCALATION_SWEEP_GRACE_S=0,
        SEMAFORO_SWEEP_INTERVAL_S=1,
    )
    mails = second.wait_for_mails(2, timeout=60)
    time.sleep(4)  # time for a duplicate to show up, if the claims let one through
    mails = second.mails()
    assert len(mails) == 2
    assert sorted(
        addr for addr in (carla.email, diego.email) if any(f"To: {addr}" in m for m in mails)
    ) == sorted([carla.email, diego.email])
    escalation.refresh_from_db()
    assert escalation.notified_at is not None
    notices = CrisisNotification.objects.filter(crisis=escalation.crisis_id)
    assert notices.count() == 2
    assert all(n.sent_at for n in notices)
