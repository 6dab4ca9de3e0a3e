"""Signed webhooks out of the desk: create the promise, attempt it, retry it, sweep what was missed.

The shape follows ``crisis/escalation.py``: the caller writes a ``Delivery`` in its own
transaction, ``transaction.on_commit`` enqueues the attempt, and the worker claims the row with a
conditional UPDATE before the POST, so two workers (or a task and the sweep) never send the same
delivery at the same time. A claim left by a worker that died is taken over after
``SEMAFORO_OUTBOUND_CLAIM_TIMEOUT_S``, which must stay well above the HTTP timeout.

Receivers deduplicate on ``X-Semaforo-Delivery``, which the signature covers (``signing``): a
worker killed after the POST but before recording it sends again (at least once, never knowingly
twice).
"""

import http.client
import json
import logging
import random
import ssl
import time
from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.queueing import enqueue
from outbound.models import Delivery, DeliveryAttempt, Endpoint, Purpose
from outbound.signing import DELIVERY_HEADER, EVENT_HEADER, sign, verify_signature
from outbound.signing import HEADER as SIGNATURE_HEADER

#: The task that POSTs one delivery (``outbound.tasks``).
DELIVER_TASK = "outbound.tasks.deliver"

__all__ = ["delivery_attempt", "delivery_create", "deliveries_sweep", "verify_signature"]

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
# Retries further away than this are not held as ETA messages in a worker's memory (Redis would
# also redeliver them after its visibility timeout); the sweep picks them up when they are due.
MAX_COUNTDOWN_S = 300
# Enough of a receiver's answer to explain a failure in the admin, not a whole error page.
MAX_ERROR_CHARS = 500
RETRYABLE_4XX = {408, 429}
USER_AGENT = "Semaforo-Webhooks/1"


def claim_timeout() -> timedelta:
    return timedelta(seconds=settings.SEMAFORO["OUTBOUND_CLAIM_TIMEOUT_S"])


def queue_for(purpose: str) -> str:
    """The committee's chat goes on the crisis queue, whose workers nothing ordinary can delay."""
    return "crisis" if purpose == Purpose.CHAT else "default"


def delivery_create(
    *, brand, purpose: Purpose, event: str, payload: dict, key: str
) -> Delivery | None:
    """Promise to send ``payload`` to the brand's active endpoint for ``purpose``.

    Call inside the transaction that makes the event true (the approval, the crisis notice): if
    it rolls back nothing is sent, and the attempt is enqueued only after commit. ``key`` makes it
    idempotent: the same key answers the same delivery and enqueues nothing new. None when the
    brand has no active endpoint for ``purpose`` (the caller then offers "sent by hand").
    """
    existing = Delivery.objects.select_related("endpoint").filter(key=key).first()
    if existing is not None:
        _check_same_brand(existing, brand)
        return existing
    endpoint = Endpoint.objects.filter(brand=brand, purpose=purpose, active=True).first()
    if endpoint is None:
        return None
    delivery, created = Delivery.objects.get_or_create(
        key=key,
        defaults={
            "endpoint": endpoint,
            "event": event,
            "payload": payload,
            "next_attempt_at": timezone.now(),
        },
    )
    if not created:  # a concurrent transaction used the key first
        _check_same_brand(delivery, brand)
        return delivery
    transaction.on_commit(partial(delivery_enqueue, delivery.pk, endpoint.purpose), robust=True)
    return delivery


def _check_same_brand(delivery: Delivery, brand) -> None:
    # Keys are the callers' to choose; one colliding across brands must not hand one brand's
    # delivery (and its payload) to another.
    if delivery.endpoint.brand_id != brand.pk:
        raise ValueError(f"idempotency key {delivery.key!r} belongs to another brand")


def delivery_enqueue(delivery_id: int, purpose: str, *, countdown: float | None = None) -> bool:
    """Hand one delivery to its queue; on a broker error leave it to the sweep."""
    try:
        enqueue(DELIVER_TASK, delivery_id, queue=queue_for(purpose), countdown=countdown)
    except Exception:  # any broker failure: the row is safe, the sweep will retry
        logger.warning(
            "broker unavailable; delivery %s left to the sweep", delivery_id, exc_info=True
        )
        return False
    return True


def delivery_attempt(*, delivery_id: int) -> bool:
    """POST one pending, due delivery once. True when this call delivered it.

    False without sending when it is delivered, failed, not yet due, or claimed by another
    worker. Otherwise exactly one ``DeliveryAttempt`` is recorded, and the delivery ends
    delivered (2xx), failed (other 4xx, 1xx/3xx, or the last allowed attempt), or pending with a
    later ``next_attempt_at`` (5xx, 408, 429, timeout, connection error).
    """
    claimed_at = timezone.now()
    claimed = Delivery.objects.filter(
        Q(claimed_at=None) | Q(claimed_at__lt=claimed_at - claim_timeout()),
        pk=delivery_id,
        status=Delivery.Status.PENDING,
        next_attempt_at__lte=claimed_at,
    ).update(claimed_at=claimed_at, attempts=F("attempts") + 1)
    if not claimed:
        return False
    delivery = Delivery.objects.select_related("endpoint__brand").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.active:
        _finish(
            delivery,
            claimed_at,
            status=Delivery.Status.FAILED,
            last_error="endpoint deactivated before delivery",
        )
        return False

    body = _body(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.pk),
        SIGNATURE_HEADER: sign(endpoint.secret, body, delivery_id=delivery.pk),
    }
    started = time.monotonic()
    status_code, error, retry_after = None, "", None
    try:
        status_code, answer, retry_after = _post(
            endpoint.url, body, headers, timeout=settings.SEMAFORO["OUTBOUND_TIMEOUT_S"]
        )
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}: {answer}"
    except (OSError, http.client.HTTPException) as exc:  # timeouts are OSError too
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
    duration_ms = round((time.monotonic() - started) * 1000)
    DeliveryAttempt.objects.create(
        delivery=delivery, status_code=status_code, error=error, duration_ms=duration_ms
    )

    if status_code is not None and 200 <= status_code < 300:
        _finish(delivery, claimed_at, status=Delivery.Status.DELIVERED, delivered_at=timezone.now())
        return True
    retryable = status_code is None or status_code >= 500 or status_code in RETRYABLE_4XX
    if not retryable or delivery.attempts >= settings.SEMAFORO["OUTBOUND_MAX_ATTEMPTS"]:
        _finish(delivery, claimed_at, status=Delivery.Status.FAILED, last_error=error)
        return False
    delay = retry_delay(attempts=delivery.attempts, retry_after=retry_after)
    rescheduled = _finish(
        delivery,
        claimed_at,
        status=Delivery.Status.PENDING,
        last_error=error,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    if rescheduled and delay <= MAX_COUNTDOWN_S:
        transaction.on_commit(
            partial(delivery_enqueue, delivery.pk, endpoint.purpose, countdown=delay),
            robust=True,
        )
    return False


def retry_delay(*, attempts: int, retry_after: int | None = None) -> float:
    """Exponential backoff from ``OUTBOUND_BACKOFF_S``, capped, with ±20% jitter so receivers
    that come back are not hit by every waiting delivery in the same second; a receiver's
    ``Retry-After`` is honoured up to the cap."""
    config = settings.SEMAFORO
    base, cap = config["OUTBOUND_BACKOFF_S"], config["OUTBOUND_BACKOFF_MAX_S"]
    delay = min(base * 2 ** (attempts - 1), cap) * random.uniform(0.8, 1.2)
    if retry_after is not None:
        delay = max(delay, min(retry_after, cap))
    return delay


def _finish(delivery: Delivery, claimed_at, **fields) -> bool:
    """Record the outcome, but only while the claim is still ours (it could have expired)."""
    fields.setdefault("next_attempt_at", None)
    fields.setdefault("last_error", "")
    done = Delivery.objects.filter(pk=delivery.pk, claimed_at=claimed_at).update(
        claimed_at=None, **fields
    )
    if not done:
        logger.warning("delivery %s: claim lost before recording the outcome", delivery.pk)
    return bool(done)


def _body(delivery: Delivery) -> bytes:
    """The same bytes on every attempt, so a receiver may compare what it got twice."""
    document = {
        "id": delivery.pk,
        "event": delivery.event,
        "brand": delivery.endpoint.brand.slug,
        "created_at": delivery.created_at,
        "data": delivery.payload,
    }
    return json.dumps(
        document, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"), sort_keys=True
    ).encode()


def _post(url: str, body: bytes, headers: dict, *, timeout: int) -> tuple[int, str, int | None]:
    """One POST with http.client: no redirects followed (a webhook that redirects is a
    misconfiguration, and following a 302 would turn the POST into a GET), TLS verified."""
    parts = urlsplit(url)
    if parts.hostname is None:  # the endpoint's URLValidator lets no such URL in
        raise http.client.InvalidURL(f"no host in {url!r}")
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(MAX_ERROR_CHARS).decode(errors="replace")
        retry_after = response.getheader("Retry-After", "")
        return response.status, answer, int(retry_after) if retry_after.isdigit() else None
    finally:
        connection.close()


def deliveries_sweep(*, now=None) -> int:
    """Enqueue pending deliveries that are due and nobody holds: the broker was down at commit,
    a worker died mid-attempt, or the retry was too far away to wait as an ETA message."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.SEMAFORO["OUTBOUND_SWEEP_GRACE_S"])
    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now - grace)
        .filter(Q(claimed_at=None) | Q(claimed_at__lt=now - claim_timeout()))
        .order_by("next_attempt_at")
        .values_list("pk", "endpoint__purpose")[:SWEEP_BATCH]
    )
    sent = 0
    for delivery_id, purpose in due:
        if not delivery_enqueue(delivery_id, purpose):
            break
        sent += 1
    return sent


def deliveries_with_errors(*, brand_ids):
    """The brands' webhooks that failed for good, or are still being retried after an error,
    newest first: for supervisors to see what their receivers never acknowledged."""
    return (
        Delivery.objects.filter(endpoint__brand_id__in=list(brand_ids))
        .exclude(status=Delivery.Status.DELIVERED)
        .exclude(last_error="")
        .select_related("endpoint__brand")
        .order_by("-created_at")
    )
