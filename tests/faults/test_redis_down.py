"""Redis stopped while comments are posted, then started again: its own server, which the test
stops and starts, is the desk's broker and cache at once, as in a one-Redis deployment.

The API still accepts and stores every comment (the throttle's counters are in Redis too); the
work it could not enqueue is enqueued by the sweeps once Redis is back, and done once."""

import shutil
import socket
import subprocess
import time

import pytest

from cases import departments, workflow
from cases.models import Department
from comments.models import Comment
from core.taxonomy import Level
from crisis.models import CrisisNotification, Escalation
from outbound import delivery as outbound
from outbound.models import Delivery, Mail, Purpose
from tests.crisis.conftest import wait_until_notified
from tests.crisis.test_worker import broker_at
from tests.factories import GREEN_TEXT, RED_TEXT, case_with_comment, comment_item
from tests.outbound.conftest import connect
from tests.outbound.test_worker import wait_for_status

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SWEEP_NOW = {
    "SEMAFORO_ESCALATION_SWEEP_GRACE_S": 0,
    "SEMAFORO_SWEEP_INTERVAL_S": 1,
    "SEMAFORO_OUTBOX_SWEEP_GRACE_S": 0,
    "SEMAFORO_OUTBOX_SWEEP_INTERVAL_S": 1,
    "SEMAFORO_OUTBOUND_SWEEP_GRACE_S": 0,
    "SEMAFORO_OUTBOUND_SWEEP_INTERVAL_S": 1,
}


REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class RedisServer:
    """A Redis of the test's own, on a free port, that it can stop and start again."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError("redis-server never listened")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def test_comments_posted_while_redis_is_down_are_stored_and_their_work_done_once_it_is_back(
    api, aurora, alice, carla, receiver, settings, redis_server, celery_worker_factory
):
    connect(receiver, aurora, Purpose.PUBLISHING)
    billing = Department.objects.create(brand=aurora, name="Facturación", email="billing@a.example")
    case = case_with_comment(brand=aurora, level=Level.GREEN)
    workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)
    workflow.case_move(case_id=case.pk, actor=alice, action="start")
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": redis_server.url}}
    redis_server.stop()
    items = [comment_item(text=RED_TEXT if n % 3 == 0 else GREEN_TEXT) for n in range(9)]
    with broker_at(redis_server.url):
        started = time.monotonic()
        answers = [api.post("/api/v1/comments/", data=[item], format="json") for item in items]
        took = time.monotonic() - started
        departments.department_request(
            case_id=case.pk, actor=alice, department_id=billing.pk, need="Reembolso", details="x"
        )
        delivery = outbound.delivery_create(
            brand=aurora, purpose=Purpose.PUBLISHING, event="test.event", payload={}, key="r:1"
        )
    assert [a.status_code for a in answers] == [201] * len(items), answers[0].content
    assert took < 3 * len(items), f"{took:.1f} s for {len(items)} requests"
    assert Comment.objects.count() == len(items) + 1
    reds = Escalation.objects.filter(comment__level=Level.RED)
    assert reds.count() == 3
    assert not reds.filter(notified_at__isnull=False).exists()

    redis_server.start()
    worker = celery_worker_factory(beat=True, CELERY_BROKER_URL=redis_server.url, **SWEEP_NOW)
    for escalation in reds:
        wait_until_notified(escalation.pk, timeout=90)
    wait_for_status(delivery, Delivery.Status.DELIVERED, timeout=60)
    deadline = time.monotonic() + 60
    while Mail.objects.filter(sent_at=None).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(4)  # a few sweeps more, for a double to show
    mails = worker.mails()
    notices = CrisisNotification.objects.filter(user=carla)
    assert notices.exists()
    assert not notices.filter(sent_at=None).exists()
    assert sum(f"To: {carla.email}" in m for m in mails) == notices.count()
    assert sum("To: billing@a.example" in m for m in mails) == 1
    assert len(receiver.requests) == 1
