"""Escalation on the real stack: API -> PostgreSQL -> Redis -> crisis worker -> mailbox."""

import email
import os
import signal
import time
from contextlib import contextmanager
from email.header import decode_header, make_header

import kombu.pools
import pytest
from django.conf import settings

from crisis.models import Escalation
from tests.crisis.conftest import wait_until_notified
from tests.factories import GREEN_TEXT, RED_TEXT, comment_item
from tests.processes import live_processes
from triage.celery import app as celery_app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@contextmanager
def broker_at(url: str):
    """Point this process's publisher at ``url``; Celery caches its connection pools, so they
    are dropped on the way in and out (kombu's global producer pools too: a closed one left
    there breaks every later publish in this process)."""
    original = celery_app.conf.broker_url

    def reset(to):
        celery_app.conf.broker_url = to
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        kombu.pools.reset()

    reset(url)
    try:
        yield
    finally:
        reset(original)


def push(api, items):
    response = api.post("/api/v1/comments/", data=items, format="json")
    assert response.status_code == 201, response.content
    return response.json()["results"]


def test_red_posted_through_the_api_reaches_the_committee_mailbox(
    api, carla, celery_worker_factory
):
    worker = celery_worker_factory()
    results = push(api, [comment_item(text=GREEN_TEXT), comment_item(text=RED_TEXT)])
    [mail] = worker.wait_for_mails(1)
    assert carla.email in mail
    assert "PROFECO" in mail
    escalation = wait_until_notified(Escalation.objects.get().pk)
    assert escalation.comment_id == results[1]["id"]
    assert escalation.notified_at >= escalation.created_at


def test_red_posted_while_the_broker_is_down_is_delivered_by_the_sweep(
    api, carla, celery_worker_factory
):
    with broker_at("redis://127.0.0.1:1/0"):
        [result] = push(api, [comment_item(text=RED_TEXT)])
    escalation = Escalation.objects.get(comment_id=result["id"])
    assert escalation.notified_at is None

    worker = celery_worker_factory(
        beat=True, SEMAFORO_ESCALATION_SWEEP_GRACE_S=0, SEMAFORO_SWEEP_INTERVAL_S=1
    )
    [mail] = worker.wait_for_mails(1, timeout=90)
    assert carla.email in mail
    wait_until_notified(escalation.pk)
    assert settings.CELERY_BROKER_URL.startswith("redis://")


POISON_TEXT = "Voy a quejarme con el defensor\ndel pueblo por este cobro abusivo"
ORDINARY_RED = "Me intoxique con la comida que me vendieron ayer en su local"


def _subject(raw_mail: str) -> str:
    message = email.message_from_string(raw_mail)
    return str(make_header(decode_header(message["Subject"])))


def test_a_line_break_in_an_authority_name_never_silences_the_committee(
    api, carla, celery_worker_factory
):
    """The red's evidence and its crisis's subject keep the customer's line break; the
    committee's mail Subject raised BadHeaderError on it, and the ladder never started. Both
    this red and an ordinary one after it reach the committee by mail."""
    worker = celery_worker_factory()
    [poison] = push(api, [comment_item(text=POISON_TEXT)])
    assert "defensor\ndel pueblo" in [r["evidence"] for r in poison["reasons"]]
    [ordinary] = push(api, [comment_item(text=ORDINARY_RED)])
    assert ordinary["level"] == "red"

    mails = worker.wait_for_mails(2)
    assert all(carla.email in m for m in mails)
    subjects = sorted(_subject(m) for m in mails)
    assert any("defensor del pueblo" in s for s in subjects), subjects
    assert all("\n" not in s for s in subjects)
    for result in (poison, ordinary):
        escalation = wait_until_notified(Escalation.objects.get(comment_id=result["id"]).pk)
        assert escalation.recipients == [carla.email]
    crisis = Escalation.objects.get(comment_id=poison["id"]).crisis
    assert "\n" in crisis.subject  # stored as the customer wrote it; one line in the mail


def test_an_embedded_beat_stops_when_its_worker_is_killed_hard(celery_worker_factory):
    """SIGKILL leaves the worker no chance to stop its beat; an orphaned beat would go on
    scheduling beside the next worker's, and every periodic task would run twice."""
    worker = celery_worker_factory(beat=True)
    beat = _wait_for_child(worker.process.pid, timeout=60)
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.wait(timeout=10)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and beat in live_processes():
        time.sleep(0.2)
    assert beat not in live_processes(), "the beat outlived its worker"


def _wait_for_child(pid: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = [child for child, (_, parent, _) in live_processes().items() if parent == pid]
        if children:
            return children[0]
        time.sleep(0.2)
    raise AssertionError(f"process {pid} started no child")
