"""Escalation on the real stack: API -> PostgreSQL -> Redis -> crisis worker -> mailbox."""

from contextlib import contextmanager

import kombu.pools
import pytest
from django.conf import settings

from crisis.models import Escalation
from tests.crisis.conftest import wait_until_notified
from tests.factories import GREEN_TEXT, RED_TEXT, comment_item
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
