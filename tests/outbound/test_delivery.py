"""Signed deliveries against a real local HTTP receiver (tests/outbound/conftest.py)."""

import json
import urllib.error
import urllib.request
from datetime import timedelta
from functools import partial

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from outbound import delivery as outbound
from outbound.delivery import verify_signature
from outbound.endpoints import endpoint_rotate_secret
from outbound.models import Delivery, Endpoint, Purpose
from tests.outbound.conftest import connect

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "reply_id": 42,
    "text": "Lamentamos lo ocurrido, te escribimos por privado.",
    "in_reply_to": "tw-1001",
}


def create(brand, key="reply:42:publish", purpose=Purpose.PUBLISHING, **extra):
    return outbound.delivery_create(
        brand=brand,
        purpose=purpose,
        event="reply.approved",
        payload=extra.pop("payload", PAYLOAD),
        key=key,
        **extra,
    )


def attempt(delivery) -> bool:
    return outbound.delivery_attempt(delivery_id=delivery.pk)


def backoff_elapsed(delivery) -> None:
    """Time travel: the retry's wait is over."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_delivered_on_200_with_a_valid_signature(aurora, aurora_publishing, receiver):
    delivery = create(aurora)
    assert attempt(delivery) is True

    [request] = receiver.requests
    assert request["verified"] is True
    assert request["path"] == "/hooks/semaforo"
    assert request["headers"]["X-Semaforo-Event"] == "reply.approved"
    assert request["headers"]["X-Semaforo-Delivery"] == str(delivery.pk)
    assert request["headers"]["Content-Type"] == "application/json"
    document = receiver.json()
    assert document["data"] == PAYLOAD
    assert document["brand"] == "aurora"
    assert document["id"] == delivery.pk
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.delivered_at is not None
    assert delivery.next_attempt_at is None
    assert delivery.claimed_at is None
    assert delivery.attempts == 1
    [logged] = delivery.attempt_log.all()
    assert logged.status_code == 200
    assert logged.error == ""


def test_a_delivered_delivery_is_not_sent_again(aurora, aurora_publishing, receiver):
    delivery = create(aurora)
    attempt(delivery)
    assert attempt(delivery) is False
    assert len(receiver.requests) == 1


def test_a_tampered_body_or_an_old_timestamp_fails_verification(
    aurora, aurora_publishing, receiver
):
    attempt(create(aurora))
    [request] = receiver.requests
    header, body = request["headers"]["X-Semaforo-Signature"], request["body"]
    delivery_id = request["headers"]["X-Semaforo-Delivery"]
    timestamp = int(header.split(",")[0].removeprefix("t="))
    secret = aurora_publishing.secret
    verify = partial(verify_signature, delivery_id=delivery_id)

    assert verify(secret, header, body) is True
    tampered = body.replace(b"privado", "público".encode())
    assert tampered != body
    assert verify(secret, header, tampered) is False
    assert verify(secret, header, body, now=timestamp + 301) is False
    assert verify(secret, header, body, now=timestamp + 299) is True
    assert verify(secret, header.replace(f"t={timestamp}", f"t={timestamp + 1}"), body) is False
    assert verify("whsec_another", header, body) is False
    assert verify(secret, None, body) is False
    assert verify(secret, "v2=abc", body) is False

    # The receiver refuses the tampered request replayed with the captured header.
    replay = urllib.request.Request(
        receiver.url,
        data=tampered,
        method="POST",
        headers={
            "X-Semaforo-Signature": header,
            "X-Semaforo-Delivery": delivery_id,
            "Content-Type": "application/json",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(replay, timeout=5)
    assert refused.value.code == 401
    assert receiver.requests[-1]["verified"] is False


def test_the_signature_covers_the_delivery_id_and_the_event(aurora, aurora_publishing, receiver):
    """Receivers deduplicate on ``X-Semaforo-Delivery``: a captured request replayed under
    another id must not verify, or it would pass as a new delivery. The event is in the signed
    body, so it cannot be changed either."""
    delivery = create(aurora)
    attempt(delivery)
    [request] = receiver.requests
    header, body = request["headers"]["X-Semaforo-Signature"], request["body"]
    secret = aurora_publishing.secret
    assert request["headers"]["X-Semaforo-Delivery"] == str(delivery.pk)
    assert request["headers"]["X-Semaforo-Event"] == "reply.approved"
    assert json.loads(body)["event"] == "reply.approved"
    assert verify_signature(secret, header, body, delivery_id=delivery.pk) is True

    assert verify_signature(secret, header, body, delivery_id=delivery.pk + 1) is False
    assert verify_signature(secret, header, body, delivery_id=f"{delivery.pk}0") is False
    assert verify_signature(secret, header, body, delivery_id=None) is False
    other_event = body.replace(b'"event":"reply.approved"', b'"event":"crisis.notify"')
    assert other_event != body
    assert verify_signature(secret, header, other_event, delivery_id=delivery.pk) is False

    replay = urllib.request.Request(
        receiver.url,
        data=body,
        method="POST",
        headers={
            "X-Semaforo-Signature": header,
            "X-Semaforo-Delivery": str(delivery.pk + 1000),
            "Content-Type": "application/json",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(replay, timeout=5)
    assert refused.value.code == 401


def test_500_then_200_is_retried_and_delivered_with_two_attempts(
    aurora, aurora_publishing, receiver
):
    receiver.reply_with({"status": 500})
    delivery = create(aurora)
    before = timezone.now()

    assert attempt(delivery) is False
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.last_error.startswith("HTTP 500")
    # Backoff of the first retry: OUTBOUND_BACKOFF_S (10 s) ± 20 % jitter.
    assert before + timedelta(seconds=7) < delivery.next_attempt_at
    assert delivery.next_attempt_at < timezone.now() + timedelta(seconds=13)

    assert attempt(delivery) is False, "not due yet: nothing is sent"
    assert len(receiver.requests) == 1

    backoff_elapsed(delivery)
    assert attempt(delivery) is True
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.attempts == 2
    assert delivery.last_error == ""
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 200]
    first, second = receiver.requests
    assert first["headers"]["X-Semaforo-Delivery"] == second["headers"]["X-Semaforo-Delivery"]
    assert first["body"] == second["body"]
    assert second["verified"] is True


def test_backoff_doubles_and_is_capped(settings):
    settings.SEMAFORO = {
        **settings.SEMAFORO,
        "OUTBOUND_BACKOFF_S": 10,
        "OUTBOUND_BACKOFF_MAX_S": 60,
    }
    assert 8 <= outbound.retry_delay(attempts=1) <= 12
    assert 32 <= outbound.retry_delay(attempts=3) <= 48
    assert outbound.retry_delay(attempts=9) <= 72
    assert outbound.retry_delay(attempts=1, retry_after=50) >= 50


def test_400_fails_without_retry(aurora, aurora_publishing, receiver):
    receiver.reply_with({"status": 400})
    delivery = create(aurora)
    assert attempt(delivery) is False
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.next_attempt_at is None
    assert delivery.last_error.startswith("HTTP 400")
    backoff_elapsed(delivery)
    assert attempt(delivery) is False
    assert len(receiver.requests) == 1
    assert delivery.attempt_log.count() == 1


def test_429_is_retried_after_the_receivers_retry_after(aurora, aurora_publishing, receiver):
    receiver.reply_with({"status": 429, "headers": {"Retry-After": "120"}})
    delivery = create(aurora)
    attempt(delivery)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=110)


def test_timeout_schedules_a_retry(aurora, aurora_publishing, receiver, settings):
    settings.SEMAFORO = {**settings.SEMAFORO, "OUTBOUND_TIMEOUT_S": 1}
    receiver.reply_with({"delay": 2.5})
    delivery = create(aurora)

    assert attempt(delivery) is False
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at > timezone.now()
    assert delivery.claimed_at is None
    [logged] = delivery.attempt_log.all()
    assert logged.status_code is None
    assert "timed out" in logged.error
    assert 900 <= logged.duration_ms < 2400


def test_a_refused_connection_schedules_a_retry(aurora, receiver_factory):
    closed = receiver_factory()
    connect(closed, aurora)
    closed.stop()
    delivery = create(aurora)
    assert attempt(delivery) is False
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert "ConnectionRefusedError" in delivery.last_error


def test_gives_up_after_the_last_allowed_attempt(aurora, aurora_publishing, receiver, settings):
    settings.SEMAFORO = {**settings.SEMAFORO, "OUTBOUND_MAX_ATTEMPTS": 2}
    receiver.reply_with({"status": 503}, {"status": 503})
    delivery = create(aurora)
    attempt(delivery)
    backoff_elapsed(delivery)
    attempt(delivery)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 2
    assert [a.status_code for a in delivery.attempt_log.all()] == [503, 503]


def test_a_delivery_claimed_by_another_worker_is_not_sent(aurora, aurora_publishing, receiver):
    delivery = create(aurora)
    Delivery.objects.filter(pk=delivery.pk).update(claimed_at=timezone.now())
    assert attempt(delivery) is False
    assert receiver.requests == []


def test_a_claim_left_by_a_dead_worker_is_taken_over(aurora, aurora_publishing, receiver):
    delivery = create(aurora)
    Delivery.objects.filter(pk=delivery.pk).update(
        claimed_at=timezone.now() - outbound.claim_timeout() - timedelta(seconds=1)
    )
    assert attempt(delivery) is True
    assert len(receiver.requests) == 1


def test_the_same_key_makes_one_delivery_and_one_enqueue(
    aurora, aurora_publishing, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        first = create(aurora)
        again = create(aurora, payload={"reply_id": 42, "text": "otra"})
    assert again.pk == first.pk
    assert again.payload == PAYLOAD
    assert Delivery.objects.count() == 1
    assert len(callbacks) == 1


def test_no_active_endpoint_means_none_and_nothing_sent(aurora, rapimenu, receiver):
    connect(receiver, aurora, Purpose.CHAT)
    Endpoint.objects.create(
        brand=aurora, purpose=Purpose.PUBLISHING, url=receiver.url, active=False
    )
    assert create(aurora) is None
    assert create(rapimenu, key="reply:7:publish") is None
    assert Delivery.objects.count() == 0
    assert receiver.requests == []


def test_another_brands_endpoint_never_receives_this_brands_delivery(
    aurora, rapimenu, receiver_factory
):
    aurora_receiver, rapi_receiver = receiver_factory(), receiver_factory()
    connect(aurora_receiver, aurora)
    connect(rapi_receiver, rapimenu)

    attempt(create(aurora))
    attempt(create(rapimenu, key="reply:7:publish", payload={"reply_id": 7}))

    assert [r["body"] for r in aurora_receiver.requests] != []
    assert [json.loads(r["body"])["brand"] for r in aurora_receiver.requests] == ["aurora"]
    assert [json.loads(r["body"])["brand"] for r in rapi_receiver.requests] == ["rapimenu"]
    with pytest.raises(ValueError, match="another brand"):
        create(rapimenu)  # Aurora's key: RapiMenu must not get Aurora's delivery back


def test_one_active_endpoint_per_brand_and_purpose(aurora, aurora_publishing):
    Endpoint.objects.create(brand=aurora, purpose=Purpose.CHAT, url="https://chat.example/h")
    Endpoint.objects.create(
        brand=aurora, purpose=Purpose.PUBLISHING, active=False, url="https://old.example/h"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Endpoint.objects.create(
            brand=aurora, purpose=Purpose.PUBLISHING, url="https://other.example/h"
        )


def test_a_rotated_secret_signs_the_next_delivery(aurora, aurora_publishing, receiver):
    old = aurora_publishing.secret
    new = endpoint_rotate_secret(endpoint=aurora_publishing)
    assert new != old
    assert new.startswith("whsec_")
    assert aurora_publishing.masked_secret == f"whsec_…{new[-4:]}"
    attempt(create(aurora))
    [request] = receiver.requests
    header, body = request["headers"]["X-Semaforo-Signature"], request["body"]
    delivery_id = request["headers"]["X-Semaforo-Delivery"]
    assert verify_signature(new, header, body, delivery_id=delivery_id) is True
    assert verify_signature(old, header, body, delivery_id=delivery_id) is False


def test_an_endpoint_deactivated_before_the_attempt_gets_nothing(
    aurora, aurora_publishing, receiver
):
    delivery = create(aurora)
    Endpoint.objects.filter(pk=aurora_publishing.pk).update(active=False)
    assert attempt(delivery) is False
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert receiver.requests == []


def test_sweep_enqueues_only_due_unclaimed_deliveries_on_their_queue(
    aurora, receiver, broker, settings
):
    settings.SEMAFORO = {**settings.SEMAFORO, "OUTBOUND_SWEEP_GRACE_S": 30}
    connect(receiver, aurora, Purpose.CHAT)
    now = timezone.now()
    late = create(aurora, key="crisis:1:chat", purpose=Purpose.CHAT)
    for key, fields in [
        ("crisis:2:chat", {"next_attempt_at": now}),  # within the grace
        ("crisis:3:chat", {"claimed_at": now}),  # a worker holds it
        (
            "crisis:4:chat",
            {"status": Delivery.Status.DELIVERED, "delivered_at": now, "next_attempt_at": None},
        ),
    ]:
        other = create(aurora, key=key, purpose=Purpose.CHAT)
        Delivery.objects.filter(pk=other.pk).update(**fields)
    Delivery.objects.filter(key__in=["crisis:1:chat", "crisis:3:chat"]).update(
        next_attempt_at=now - timedelta(minutes=5)
    )

    assert outbound.deliveries_sweep(now=now) == 1
    assert broker.llen("default") == 0
    [message] = broker.lrange("crisis", 0, -1)
    headers = json.loads(message)["headers"]
    assert headers["task"] == "outbound.tasks.deliver"
    assert headers["argsrepr"] == f"({late.pk},)"
