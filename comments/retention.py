"""Retention: what the desk keeps of a stranger's words, and for how long.

Beat runs ``retention_purge`` (``comments.tasks.purge_retention``) every
``SEMAFORO_RETENTION_INTERVAL_S``; each window is a setting in days, 0 keeps forever:

- ``SEMAFORO_RETENTION_DAYS``: the comments of a case closed that long ago are forgotten as an
  erasure forgets them (``erasure.comments_forget``): the rows, decisions and counts stay, so the
  indicators do not change, while the text, the raw payload and the earlier texts go;
- ``SEMAFORO_RAW_RETENTION_DAYS``: every comment's raw payload (already masked at intake) is
  emptied that long after it was received, case or not;
- ``SEMAFORO_WEBHOOK_RETENTION_DAYS``: a platform's webhook delivery processed that long ago is
  deleted (its comments hold what the desk needs).

Export records are the reports app's (``reports.retention``). Each step works in batches of
``BATCH`` rows, each in its own transaction, so a pass holds no lock for long, and a pass cut
short (or run twice at once) leaves nothing half done: the next one takes what is left.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cases.models import CaseStatus
from comments.erasure import ERASED, comments_forget
from comments.models import Comment, WebhookDelivery

BATCH = 500
#: Batches per step and pass: a backlog (the first pass after the setting is lowered) is
#: worked off over several passes rather than in one that outlives its beat interval.
MAX_BATCHES = 40


@dataclass(frozen=True)
class Purged:
    comments_forgotten: int
    raw_payloads_emptied: int
    webhook_deliveries_deleted: int


def retention_purge(*, now=None) -> Purged:
    now = now or timezone.now()
    windows = settings.SEMAFORO
    return Purged(
        comments_forgotten=_closed_cases_comments(now, windows["RETENTION_DAYS"]),
        raw_payloads_emptied=_raw_payloads(now, windows["RAW_RETENTION_DAYS"]),
        webhook_deliveries_deleted=_webhook_deliveries(now, windows["WEBHOOK_RETENTION_DAYS"]),
    )


def _batches(step) -> int:
    done = 0
    for _ in range(MAX_BATCHES):
        with transaction.atomic():
            count = step()
        done += count
        if count < BATCH:
            break
    return done


def _closed_cases_comments(now, days: int) -> int:
    if not days:
        return 0
    due = Comment.objects.filter(
        case__status=CaseStatus.CLOSED, case__closed_at__lt=now - timedelta(days=days)
    ).exclude(text=ERASED)

    def step() -> int:
        ids = list(due.order_by("pk").values_list("pk", flat=True)[:BATCH])
        comments_forget(ids)
        return len(ids)

    return _batches(step)


def _raw_payloads(now, days: int) -> int:
    if not days:
        return 0
    due = Comment.objects.filter(received_at__lt=now - timedelta(days=days)).exclude(raw={})

    def step() -> int:
        ids = list(due.order_by("received_at").values_list("pk", flat=True)[:BATCH])
        return Comment.objects.filter(pk__in=ids).update(raw={})

    return _batches(step)


def _webhook_deliveries(now, days: int) -> int:
    if not days:
        return 0
    due = WebhookDelivery.objects.filter(processed_at__lt=now - timedelta(days=days))

    def step() -> int:
        ids = list(due.order_by("processed_at").values_list("pk", flat=True)[:BATCH])
        deleted, _ = WebhookDelivery.objects.filter(pk__in=ids).delete()
        return deleted

    return _batches(step)
