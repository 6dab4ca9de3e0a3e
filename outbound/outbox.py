"""Sending what an ``OutboxRow`` promised, once in effect: the one mechanism behind the desk's
mails (``outbound.mails``) and the crisis committee's notices (``crisis.calling``).

The shape is the escalations' (``crisis.escalation``):

1. The row is written in the transaction that decides the message, and enqueued after commit.
   A broker down at that moment loses nothing: the row waits for its sweep.
2. A worker claims one row at a time: ``SELECT ... FOR UPDATE SKIP LOCKED`` (a row another
   worker holds is skipped, not waited for), a conditional mark, commit; then the slow I/O,
   outside any transaction. A claim older than its timeout is a dead worker's, taken over.
3. The row is marked sent only after the send returned, in its own commit: a later failure in
   the same chunk never sends it again. A send that raises records its error, counts the
   attempt and sets the next one with backoff (``SEMAFORO_OUTBOX_BACKOFF_S`` doubling up to
   ``SEMAFORO_OUTBOX_BACKOFF_MAX_S``), so an outage of the mail server costs retries, not mail.
4. Beat's sweep hands the due rows to workers again. A row that has failed for
   ``SEMAFORO_OUTBOX_GIVE_UP_H`` hours stops: a dead letter that keeps its error for a person.

A worker killed between the send and the mark sends that one row again when its claim goes
stale: at least once, never knowingly twice. ``EMAIL_TIMEOUT`` keeps one send well under the
claim timeout, so a live worker's claim is never taken over.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from core.queueing import backoff_s, each_isolated, error_text, publish_in_chunks
from outbound.models import OutboxRow

logger = logging.getLogger(__name__)

Row = TypeVar("Row", bound=OutboxRow)

SWEEP_BATCH = 500
PUBLISH_CHUNK = 25  # rows per broker message: a sweep after an outage sends a few hundred


def pending(rows: QuerySet[Row]) -> QuerySet[Row]:
    """The rows still to send: neither sent nor given up."""
    return rows.filter(sent_at=None, failed_at=None)


def claim_timeout() -> timedelta:
    return timedelta(seconds=settings.SEMAFORO["OUTBOX_CLAIM_TIMEOUT_S"])


def outbox_claim(
    rows: QuerySet[Row],
    pk: int,
    *,
    timeout: timedelta,
    on_schedule: bool = True,
    now: datetime | None = None,
) -> Row | None:
    """Take row ``pk`` of ``rows`` for one send and commit the claim; None when it is sent,
    given up, held by a live claim or (``on_schedule``) not due yet.

    ``on_schedule=False`` is for a caller with its own backoff (an escalation's retry), which
    may try a failing row before its next attempt is due."""
    now = now or timezone.now()
    candidates = pending(rows.filter(pk=pk)).filter(
        Q(claimed_at=None) | Q(claimed_at__lt=now - timeout)
    )
    if on_schedule:
        candidates = candidates.filter(next_attempt_at__lte=now)
    with transaction.atomic():
        row = candidates.select_for_update(skip_locked=True, of=("self",)).first()
        if row is None:
            return None
        rows.model._default_manager.filter(pk=pk).update(claimed_at=now, attempts=F("attempts") + 1)
    row.claimed_at, row.attempts = now, row.attempts + 1
    return row


def outbox_sent(row: OutboxRow) -> bool:
    """Mark a claimed row sent; False when its claim was taken over meanwhile (it was slow)."""
    done = (
        type(row)
        ._default_manager.filter(pk=row.pk, claimed_at=row.claimed_at)
        .update(sent_at=timezone.now(), claimed_at=None, next_attempt_at=None, last_error="")
    )
    if not done:
        logger.warning("%s %s: claim lost before it was marked sent", type(row).__name__, row.pk)
    return bool(done)


def outbox_failed(row: OutboxRow, error: Exception, *, now: datetime | None = None) -> None:
    """A claimed row's send raised: keep the error, give the claim back and set the next
    attempt; past ``OUTBOX_GIVE_UP_H`` hours since it was written, give it up instead."""
    now = now or timezone.now()
    config = settings.SEMAFORO
    fields: dict = {"claimed_at": None, "last_error": error_text(error)}
    if row.created_at <= now - timedelta(hours=config["OUTBOX_GIVE_UP_H"]):
        fields |= {"failed_at": now, "next_attempt_at": None}
        logger.error("%s %s given up after %s attempts", type(row).__name__, row.pk, row.attempts)
    else:
        delay = backoff_s(
            row.attempts,
            first=config["OUTBOX_BACKOFF_S"],
            cap=config["OUTBOX_BACKOFF_MAX_S"],
            jitter=0.2,
        )
        fields["next_attempt_at"] = now + timedelta(seconds=delay)
    type(row)._default_manager.filter(pk=row.pk, claimed_at=row.claimed_at).update(**fields)


def outbox_send(
    rows: QuerySet[Row],
    ids: Iterable[int],
    send: Callable[[Row], object],
    *,
    timeout: timedelta,
    on_schedule: bool = True,
) -> list[Row]:
    """Claim, ``send`` and mark each row of ``ids`` on its own; answer the rows sent.

    A row whose send raises is recorded (``outbox_failed``) and the rest still go: one bad
    address or a mail server that drops one message never holds back nor repeats the others.
    Call outside any transaction: each claim and each mark commits on its own."""
    sent: list[Row] = []
    claimed: dict[int, Row] = {}

    def one(pk: int) -> None:
        row = outbox_claim(rows, pk, timeout=timeout, on_schedule=on_schedule)
        if row is None:
            return
        claimed[pk] = row
        send(row)
        if outbox_sent(row):
            sent.append(row)

    def failed(pk: int, error: Exception) -> None:
        if pk in claimed:
            outbox_failed(claimed[pk], error)
        else:  # the claim itself failed (the database): the row waits for its sweep
            logger.warning("%s %s: not claimed (%s)", rows.model.__name__, pk, error)

    each_isolated(list(ids), one, failed=failed)
    return sent


def outbox_due(rows: QuerySet[Row], *, now: datetime, grace: timedelta, timeout: timedelta):
    """What a sweep hands out again: pending rows due for ``grace`` (the message sent at commit
    is likely still on its way) that no live claim holds, oldest first; their ids."""
    return list(
        pending(rows)
        .filter(next_attempt_at__lte=now - grace)
        .filter(Q(claimed_at=None) | Q(claimed_at__lt=now - timeout))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def outbox_sweep(
    rows: QuerySet[Row],
    task_name: str,
    *,
    timeout: timedelta,
    queue: str | None = None,
    now: datetime | None = None,
) -> int:
    """Publish the due rows of ``rows`` to ``task_name`` in chunks; answer how many went. On a
    broker error it stops, and the next sweep takes them."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.SEMAFORO["OUTBOX_SWEEP_GRACE_S"])
    ids = outbox_due(rows, now=now, grace=grace, timeout=timeout)
    return publish_in_chunks(task_name, ids, chunk=PUBLISH_CHUNK, queue=queue)


def with_errors(rows: QuerySet[Row]) -> QuerySet[Row]:
    """Rows not sent that failed at least once: still retried, or given up (dead letters)."""
    return rows.filter(sent_at=None).exclude(last_error="")
