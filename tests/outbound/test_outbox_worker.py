"""The mail outbox on the real stack: a Celery worker with beat against Redis, and a mail
server that is down while a flag file exists (tests/outbound/flaky_mail.py)."""

import email
import time
from email.header import decode_header, make_header

import pytest

from cases import departments, workflow
from cases.models import Department
from core.taxonomy import Level
from outbound.models import Mail
from tests.crisis.conftest import Worker
from tests.crisis.test_worker import broker_at
from tests.factories import case_with_comment
from tests.outbound.test_mails import _one_of_each_kind

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FLAKY = "tests.outbound.flaky_mail.FileEmailBackend"
FAST_SWEEPS = {
    "SEMAFORO_OUTBOX_SWEEP_INTERVAL_S": 1,
    "SEMAFORO_OUTBOX_SWEEP_GRACE_S": 0,
    "SEMAFORO_OUTBOX_BACKOFF_S": 1,
    "SEMAFORO_OUTBOX_BACKOFF_MAX_S": 2,
}


def _subject(raw_mail: str) -> str:
    return str(make_header(decode_header(email.message_from_string(raw_mail)["Subject"])))


def _wait_for(condition, worker: Worker, what: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        assert worker.process.poll() is None, worker.stop()[-3000:]
        time.sleep(0.2)
    raise AssertionError(f"never {what}:\n" + worker.stop()[-4000:])


def test_smtp_down_for_many_sweeps_then_back_sends_each_mail_exactly_once(
    aurora, alice, sam, celery_worker_factory, tmp_path
):
    down = tmp_path / "smtp-down"
    down.write_text("down")
    ids = _one_of_each_kind(aurora, alice)  # enqueued at commit, as the desk does
    worker = celery_worker_factory(
        beat=True, EMAIL_BACKEND=FLAKY, SMTP_DOWN_FLAG=down, **FAST_SWEEPS
    )
    rows = Mail.objects.filter(pk__in=ids)
    _wait_for(
        lambda: all(m.attempts >= 4 for m in rows.all()), worker, "retried through several sweeps"
    )
    assert worker.mails() == []
    assert all(m.sent_at is None and m.failed_at is None for m in rows.all())

    down.unlink()
    worker.wait_for_mails(3, timeout=60)
    _wait_for(lambda: all(m.sent_at for m in rows.all()), worker, "marked sent")
    time.sleep(4)  # sweeps go on: time for a duplicate to show up, if the marks let one through
    sent = sorted(_subject(raw) for raw in worker.mails())
    assert sent == sorted(m.subject for m in rows.all())  # each mail once


def test_a_mail_promised_while_the_broker_is_down_is_sent_by_the_sweep(
    aurora, alice, celery_worker_factory
):
    billing = Department.objects.create(brand=aurora, name="Facturación", email="billing@a.example")
    case = case_with_comment(brand=aurora, level=Level.GREEN)
    workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)
    workflow.case_move(case_id=case.pk, actor=alice, action="start")
    with broker_at("redis://127.0.0.1:1/0"):
        departments.department_request(
            case_id=case.pk, actor=alice, department_id=billing.pk, need="Reembolso", details="x"
        )
    [row] = Mail.objects.all()
    assert (row.sent_at, row.attempts) == (None, 0)

    worker = celery_worker_factory(beat=True, **FAST_SWEEPS)
    [message] = worker.wait_for_mails(1, timeout=60)
    assert "To: billing@a.example" in message
    _wait_for(lambda: Mail.objects.get(pk=row.pk).sent_at is not None, worker, "marked sent")
    time.sleep(3)
    assert len(worker.mails()) == 1
