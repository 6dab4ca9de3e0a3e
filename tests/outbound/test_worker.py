"""Deliveries on the real stack: transaction -> commit -> Redis -> worker -> local receiver."""

import time

import pytest
from django.db import transaction

from outbound import delivery as outbound
from outbound.models import Delivery, Purpose
from tests.crisis.test_worker import broker_at
from tests.outbound.conftest import connect

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for_status(delivery, status, timeout: float = 15) -> Delivery:
    """The worker records the outcome just after the receiver answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delivery.refresh_from_db()
        if delivery.status == status:
            return delivery
        time.sleep(0.1)
    raise AssertionError(f"delivery {delivery.pk} is {delivery.status}, expected {status}")


def _create_a_delivery_then_roll_back(brand) -> None:
    with transaction.atomic():
        outbound.delivery_create(
            brand=brand,
            purpose=Purpose.CHAT,
            event="crisis.opened",
            payload={"crisis_id": 1},
            key="crisis:1:opened",
        )
        raise RuntimeError("the crisis was not opened after all")


def test_a_delivery_is_sent_by_the_crisis_worker_only_after_commit(
    aurora, receiver, celery_worker_factory
):
    connect(receiver, aurora, Purpose.CHAT)
    worker = celery_worker_factory()

    with pytest.raises(RuntimeError):
        _create_a_delivery_then_roll_back(aurora)
    with transaction.atomic():
        delivery = outbound.delivery_create(
            brand=aurora,
            purpose=Purpose.CHAT,
            event="crisis.opened",
            payload={"crisis_id": 2, "subject": "Cobros duplicados"},
            key="crisis:2:opened",
        )

    try:
        [request] = receiver.wait_for(1)
    except AssertionError:
        raise AssertionError(worker.stop()[-4000:]) from None
    assert request["verified"] is True
    assert request["headers"]["X-Semaforo-Delivery"] == str(delivery.pk)
    assert receiver.json()["data"] == {"crisis_id": 2, "subject": "Cobros duplicados"}
    delivery = wait_for_status(delivery, Delivery.Status.DELIVERED)
    assert delivery.attempts == 1
    assert Delivery.objects.count() == 1, "the rolled-back promise left nothing behind"


def test_a_500_is_retried_by_the_worker_after_the_backoff(aurora, receiver, celery_worker_factory):
    connect(receiver, aurora)
    receiver.reply_with({"status": 500})
    celery_worker_factory(SEMAFORO_OUTBOUND_BACKOFF_S=1)

    with transaction.atomic():
        delivery = outbound.delivery_create(
            brand=aurora,
            purpose=Purpose.PUBLISHING,
            event="reply.approved",
            payload={"reply_id": 9},
            key="reply:9:publish",
        )

    first, second = receiver.wait_for(2, timeout=30)
    assert first["body"] == second["body"]
    delivery = wait_for_status(delivery, Delivery.Status.DELIVERED)
    assert delivery.attempts == 2
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 200]


def test_a_delivery_missed_by_the_broker_is_sent_by_the_sweep(
    aurora, receiver, celery_worker_factory
):
    connect(receiver, aurora)
    with broker_at("redis://127.0.0.1:1/0"), transaction.atomic():
        delivery = outbound.delivery_create(
            brand=aurora,
            purpose=Purpose.PUBLISHING,
            event="reply.approved",
            payload={"reply_id": 11},
            key="reply:11:publish",
        )
    assert receiver.requests == []

    celery_worker_factory(
        beat=True, SEMAFORO_OUTBOUND_SWEEP_GRACE_S=0, SEMAFORO_OUTBOUND_SWEEP_INTERVAL_S=1
    )
    [request] = receiver.wait_for(1, timeout=40)
    assert request["verified"] is True
    wait_for_status(delivery, Delivery.Status.DELIVERED)
