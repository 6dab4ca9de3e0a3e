"""A Celery worker SIGKILLed in the middle of a send, on each queue, then started again: what it
was sending is sent once in effect. (The escalation itself: tests/crisis/test_no_loss.py.)

The kill lands while the send is under way: the mail server is slow to open
(tests/crisis/slow_mail.py), or the webhook receiver is slow to answer. A worker that dies holds
its claim; the restarted worker's sweep takes the row over once the claim is stale."""

import email
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest

from crisis import calling
from crisis.models import Crisis, CrisisNotification
from outbound import delivery as outbound
from outbound.models import Delivery, Mail, Purpose
from tests.crisis.conftest import Worker
from tests.crisis.helpers import escalate, member, red
from tests.outbound.conftest import connect
from tests.outbound.test_mails import _one_of_each_kind
from tests.outbound.test_outbox_worker import FAST_SWEEPS, _subject
from tests.outbound.test_worker import wait_for_status

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SLOW = "tests.crisis.slow_mail.EmailBackend"
STALE_CLAIMS = {
    "SEMAFORO_OUTBOX_CLAIM_TIMEOUT_S": 3,
    "SEMAFORO_CRISIS_CLAIM_TIMEOUT_S": 3,
    "SEMAFORO_OUTBOUND_CLAIM_TIMEOUT_S": 3,
    "SEMAFORO_OUTBOUND_SWEEP_GRACE_S": 0,
    "SEMAFORO_OUTBOUND_SWEEP_INTERVAL_S": 1,
    "SEMAFORO_OUTBOUND_BACKOFF_S": 1,
    **FAST_SWEEPS,
}


def _kill_when(condition, worker: Worker, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert worker.process.poll() is None, worker.stop()[-3000:]
        assert time.monotonic() < deadline, f"never {what}:\n" + worker.stop()[-3000:]
        time.sleep(0.1)
    worker.process.send_signal(signal.SIGKILL)
    worker.process.wait(timeout=10)
    worker.stop()  # and its group


def _slow_mail_worker(factory, mark: Path, *, beat: bool = False) -> Worker:
    return factory(beat=beat, EMAIL_BACKEND=SLOW, SLOW_MAIL_S=60, SLOW_MAIL_MARK=mark)


def _settled(worker: Worker, condition, what: str, timeout: float = 60) -> None:
    """``condition`` holds, and still holds a few sweeps later, when a double would show."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert worker.process.poll() is None, worker.stop()[-3000:]
        assert time.monotonic() < deadline, f"never {what}:\n" + worker.stop()[-3000:]
        time.sleep(0.2)
    time.sleep(4)


def test_mails_under_way_when_the_worker_dies_are_each_sent_once(
    aurora, alice, celery_worker_factory, tmp_path
):
    """The outbox of the default queue: a department request, a deadline alert and a
    follow-up prompt."""
    mark = tmp_path / "sending"
    first = _slow_mail_worker(celery_worker_factory, mark)
    ids = _one_of_each_kind(aurora, alice)
    _kill_when(mark.exists, first, "started sending")
    rows = Mail.objects.filter(pk__in=ids)
    assert not any(m.sent_at for m in rows.all())

    second = celery_worker_factory(beat=True, **STALE_CLAIMS)
    _settled(second, lambda: all(m.sent_at for m in rows.all()), "sent every mail")
    sent = sorted((email.message_from_string(m)["To"], _subject(m)) for m in second.mails())
    assert sent == sorted((", ".join(m.to), m.subject) for m in rows.all())


def test_a_crisis_level_notice_under_way_when_the_worker_dies_is_sent_once(
    aurora, carla, settings, celery_worker_factory, tmp_path
):
    """The crisis queue: a level called because nobody acknowledged the first."""
    boss = member("beatriz", aurora, committee_role="manager", level=2)
    escalate(aurora, [red()])  # level 1, told in this process
    crisis = Crisis.objects.get()
    mark = tmp_path / "sending"
    first = _slow_mail_worker(celery_worker_factory, mark)
    late = crisis.level_notified_at + timedelta(minutes=settings.SEMAFORO["CRISIS_ACK_MINUTES"] + 1)
    assert calling.crises_escalate_unacknowledged(now=late) == [(crisis.pk, 2)]
    _kill_when(mark.exists, first, "started the level's notice")
    assert first.mails() == []

    second = celery_worker_factory(beat=True, **STALE_CLAIMS)
    notices = CrisisNotification.objects.filter(user=boss)
    _settled(second, lambda: notices.filter(sent_at__isnull=False).exists(), "sent the notice")
    mails = second.mails()
    assert [f"To: {boss.email}" in m for m in mails] == [True]
    assert notices.count() == 1


@pytest.mark.parametrize("purpose", [Purpose.PUBLISHING, Purpose.CHAT])
def test_a_webhook_under_way_when_the_worker_dies_is_delivered_once_in_effect(
    aurora, receiver, celery_worker_factory, purpose
):
    """Each purpose has its queue (publishing: default; chat: crisis). The receiver got the
    first POST but the worker died before it heard the answer: the one delivery is posted again
    with the same delivery id, the receivers' deduplication key."""
    assert {outbound.queue_for(p) for p in Purpose} == {"default", "crisis"}
    connect(receiver, aurora, purpose)
    receiver.reply_with({"delay": 30})
    first = celery_worker_factory()
    delivery = outbound.delivery_create(
        brand=aurora, purpose=purpose, event="test.event", payload={"n": 1}, key="fault:1"
    )
    _kill_when(lambda: receiver.requests, first, "posted")

    celery_worker_factory(beat=True, **STALE_CLAIMS)
    wait_for_status(delivery, Delivery.Status.DELIVERED, timeout=60)
    time.sleep(4)
    ids = {r["headers"]["X-Semaforo-Delivery"] for r in receiver.requests}
    assert len(receiver.requests) == 2
    assert ids == {str(delivery.pk)}
    assert all(r["verified"] for r in receiver.requests)
