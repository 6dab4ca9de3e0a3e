"""Handing rows to workers: claim what is due once, publish ids in a few messages.

Beat's passes (follow-ups, deadlines) and intake's escalations share these two steps, so the
rules that keep work from being lost or doubled live in one place.

A domain module hands work to a task by its name, and the app's ``tasks`` module registers the
task under that name (``@shared_task(name=followups.PROMPT_TASK)``): the tasks import the
domain, never the other way round, so no import cycle is hidden in a function.
"""

import logging
import random
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import TypeVar

from celery import current_app
from django.db.models import QuerySet

logger = logging.getLogger(__name__)

Item = TypeVar("Item")

#: A row that failed is tried again alone after 30 s, then doubling up to an hour.
RETRY_FIRST_S = 30
RETRY_MAX_S = 3600
#: Attempts after which a failing row waits, with its error, for its sweep or a person.
MAX_ATTEMPTS = 10


def claim_due(queryset: QuerySet, *, order_by: str, limit: int, mark: dict) -> list[int]:
    """Lock up to ``limit`` rows no other pass holds and mark them claimed; call inside the
    transaction that enqueues them after commit. ``skip_locked`` lets two overlapping passes
    share the work; the mark keeps a later pass from taking a row again."""
    ids = list(
        queryset.select_for_update(skip_locked=True)
        .order_by(order_by)
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        queryset.model.objects.filter(pk__in=ids).update(**mark)
    return ids


def enqueue(task_name: str, *args, queue: str | None = None, countdown: float | None = None):
    """Send one message to the task registered as ``task_name``."""
    return current_app.signature(task_name).apply_async(args, queue=queue, countdown=countdown)


def publish_in_chunks(
    task_name: str,
    ids: Sequence[Item],
    *,
    chunk: int,
    queue: str | None = None,
    release: Callable[[list[Item]], object] | None = None,
) -> int:
    """Send ``task_name(ids[i:i+chunk])`` messages; return how many ids went out. The ids are
    row ids, or small JSON lists naming a row and what to do with it.

    On a broker error stop: ``release`` gets the ids not sent (to undo their claim so the next
    pass takes them); without it they wait for their sweep.
    """
    ids = list(ids)
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        try:
            current_app.signature(task_name).apply_async(
                (part,), queue=queue, argsrepr=_ids_for_log(part)
            )
        except Exception:  # any broker failure: the rows are safe in the database
            logger.warning(
                "broker unavailable; %s left for the next pass (%s ids)",
                task_name,
                len(ids) - start,
                exc_info=True,
            )
            if release is not None:
                release(ids[start:])
            return start
    return len(ids)


def _ids_for_log(ids: Sequence) -> str | None:
    """What the message's header shows in the workers' logs: the ids when they are a few
    (Celery's own repr), else their count. Celery builds its repr of every argument, and for
    a batch's hundreds of ids that cost about as much as the publish itself."""
    return None if len(ids) <= 10 else f"({len(ids)} ids)"


def each_isolated(
    items: Iterable[Item],
    send: Callable[[Item], object],
    *,
    failed: Callable[[Item, Exception], None],
) -> list[Item]:
    """``send`` each item on its own; answer the items that raised.

    A chunk's rows share a message, not a fate: a row whose send raises (a poisoned header, an
    address the mail server refuses, the server down) goes to ``failed`` with its error, which
    records it on the row and retries it alone (``retry_alone``), and the rows after it are
    still sent. Call outside any transaction that a failure would roll back.
    """
    failures = []
    for item in items:
        try:
            send(item)
        except Exception as error:  # each row's failure is recorded on the row, never lost
            logger.warning("%r failed; recorded and retried on its own", item, exc_info=True)
            failures.append(item)
            failed(item, error)
    return failures


def retry_alone(task_name: str, pk, *, attempts: int, queue: str | None = None) -> bool:
    """Publish ``task_name([pk])`` after a backoff that doubles with ``attempts``; False when
    the row has had its ``MAX_ATTEMPTS`` or the broker is down (its sweep takes it then).
    ``pk`` is what the task's list holds: a row id, or a small JSON list naming one."""
    if attempts >= MAX_ATTEMPTS:
        logger.error("%s: row %s failed %s times; left for a person", task_name, pk, attempts)
        return False
    countdown = backoff_s(attempts, first=RETRY_FIRST_S, cap=RETRY_MAX_S)
    try:
        enqueue(task_name, [pk], queue=queue, countdown=countdown)
    except Exception:  # the broker is down: the row keeps its error for the sweep
        logger.warning("broker unavailable; %s row %s not retried", task_name, pk, exc_info=True)
        return False
    return True


def backoff_s(attempts: int, *, first: float, cap: float, jitter: float = 0.0) -> float:
    """``first`` seconds after the first failure, doubling with each one up to ``cap``; spread
    by ±``jitter`` (a fraction) so rows that failed together are not all retried together."""
    delay = min(first * 2 ** max(attempts - 1, 0), cap)
    return delay * random.uniform(1 - jitter, 1 + jitter) if jitter else delay  # noqa: S311


def retry_delay(attempts: int) -> timedelta:
    """How long a row that failed ``attempts`` times waits before a pass takes it again."""
    return timedelta(seconds=backoff_s(attempts, first=RETRY_FIRST_S, cap=RETRY_MAX_S))


def error_text(error: Exception) -> str:
    """What a row records of its failure: the kind and the message, bounded."""
    return f"{type(error).__name__}: {error}"[:1000]
