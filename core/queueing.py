"""Handing rows to workers: claim what is due once, publish ids in a few messages.

Beat's passes (follow-ups, deadlines) and intake's escalations share these two steps, so the
rules that keep work from being lost or doubled live in one place.

A domain module hands work to a task by its name, and the app's ``tasks`` module registers the
task under that name (``@shared_task(name=followups.PROMPT_TASK)``): the tasks import the
domain, never the other way round, so no import cycle is hidden in a function.
"""

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

from celery import current_app
from django.db.models import QuerySet

logger = logging.getLogger(__name__)

Item = TypeVar("Item")


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
