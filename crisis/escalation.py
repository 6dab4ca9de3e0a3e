"""Reds reach the crisis committee: create the promise, deliver it once, sweep what was missed.

Delivery is claimed with a conditional UPDATE, so two workers (or a task and the sweep) never
notify for the same escalation at once; a claim left by a worker that died is taken over after
``SEMAFORO_CRISIS_CLAIM_TIMEOUT_S``.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from brands.access import role_emails
from brands.roles import Role
from core.bulk import insert_rows
from core.queueing import each_isolated, error_text, publish_in_chunks, retry_alone
from crisis.calling import crisis_notify_level
from crisis.models import Escalation
from crisis.opening import crises_open_or_join

#: The task on the ``crisis`` queue that tells the committee (``crisis.tasks``).
ESCALATE_TASK = "crisis.tasks.escalate"

logger = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=2)  # the default of SEMAFORO_CRISIS_CLAIM_TIMEOUT_S
SWEEP_BATCH = 500
# Escalations per broker message. A publish costs about a millisecond of the ingest request, and
# notifying is done per crisis, not per red, so a batch's reds (hundreds in a ripple) go out as
# one message; concurrent batches still spread over the crisis workers.
PUBLISH_CHUNK = 1000


def claim_timeout() -> timedelta:
    return timedelta(seconds=settings.SEMAFORO["CRISIS_CLAIM_TIMEOUT_S"])


def escalations_create(*, comment_ids: Iterable[int], now) -> list[int]:
    """Call inside the transaction that stores the reds; enqueues delivery after commit.

    A comment escalated before keeps its one escalation (and, if it still waits, is enqueued
    again); one insert returns the new ones, which is all of them for new comments.
    """
    comment_ids = list(comment_ids)
    if not comment_ids:
        return []
    ids = [
        pk
        for (pk,) in insert_rows(
            Escalation,
            [
                {
                    "comment_id": comment_id,
                    "created_at": now,
                    "claimed_at": None,
                    "attempts": 0,
                    "notified_at": None,
                    "recipients": [],
                }
                for comment_id in comment_ids
            ],
            ignore_conflicts=True,
        )
    ]
    if len(ids) < len(comment_ids):
        ids = list(
            Escalation.objects.filter(comment_id__any_of=comment_ids, notified_at=None).values_list(
                "pk", flat=True
            )
        )
    transaction.on_commit(partial(escalations_enqueue, ids), robust=True)
    return ids


def escalations_enqueue(escalation_ids: Iterable[int]) -> int:
    """Hand escalations to the crisis queue; on a broker error stop and leave them to the sweep."""
    return publish_in_chunks(
        ESCALATE_TASK, list(escalation_ids), chunk=PUBLISH_CHUNK, queue="crisis"
    )


def escalation_notify(*, escalation_id: int) -> bool:
    """Notify one escalation. False when it was done or is being done."""
    return escalations_notify(escalation_ids=[escalation_id]) == 1


def escalations_notify(*, escalation_ids: list[int]) -> int:
    """Attach a chunk of escalations to their crises and make sure each crisis's current
    contact level has been told; answer how many this call claimed and delivered.

    A red that opens a crisis mails each member of level 1 (and posts to the committee's chat);
    a red that joins an open crisis is written on its timeline and shown in the room, without a
    new mail per red, unless an earlier notice was interrupted, which this completes. The chunk
    is claimed in one statement; rows claimed by a live worker are skipped, not waited for.
    """
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Escalation.objects.select_for_update(skip_locked=True)
            .filter(
                Q(claimed_at=None) | Q(claimed_at__lt=now - claim_timeout()),
                pk__in=list(escalation_ids),
                notified_at=None,
            )
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        Escalation.objects.filter(pk__in=ids).update(claimed_at=now, attempts=F("attempts") + 1)
    try:
        attached = crises_open_or_join(escalation_ids=ids, now=now)
        by_crisis: dict[int, list[int]] = {}
        for escalation_id in ids:
            by_crisis.setdefault(attached[escalation_id][0].pk, []).append(escalation_id)
        openers = {
            crisis.pk: escalation_id
            for escalation_id, (crisis, opened) in attached.items()
            if opened
        }
        comments = {
            e.pk: e.comment
            for e in Escalation.objects.select_related("comment__author").filter(
                pk__in=list(openers.values())
            )
        }

        def notify(crisis_id: int) -> None:
            members = by_crisis[crisis_id]
            opener = openers.get(crisis_id)  # None for a crisis the chunk only joined
            recipients = crisis_notify_level(
                crisis_id=crisis_id,
                level=attached[members[0]][0].contact_level,
                comment=comments.get(opener) if opener is not None else None,
            )
            Escalation.objects.filter(pk__in=members).update(
                notified_at=timezone.now(), recipients=recipients, last_error=""
            )

        errors: dict[int, Exception] = {}
        each_isolated(list(by_crisis), notify, failed=errors.__setitem__)
    except Exception:
        Escalation.objects.filter(pk__in=ids, notified_at=None).update(claimed_at=None)
        raise
    for crisis_id, error in errors.items():
        _notice_failed(by_crisis[crisis_id], error=error)
    return len(ids) - sum(len(by_crisis[crisis_id]) for crisis_id in errors)


def _notice_failed(escalation_ids: list[int], *, error: Exception) -> None:
    """A crisis's notice raised: its escalations keep the error, give their claim back and are
    retried alone (the sweep would take them too); the chunk's other crises were told."""
    Escalation.objects.filter(pk__in=escalation_ids, notified_at=None).update(
        claimed_at=None, last_error=error_text(error)
    )
    for pk, attempts in Escalation.objects.filter(pk__in=escalation_ids).values_list(
        "pk", "attempts"
    ):
        retry_alone(ESCALATE_TASK, pk, attempts=attempts, queue="crisis")


def committee_emails(*, brand_id: int) -> list[str]:
    """The crisis committee of the comment's brand, and nobody else's."""
    return role_emails(brand_id, Role.CRISIS_COMMITTEE)


def escalations_sweep(*, now=None) -> int:
    """Re-enqueue escalations nobody delivered: the broker was down, or a worker died."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.SEMAFORO["ESCALATION_SWEEP_GRACE_S"])
    pending = list(
        Escalation.objects.filter(notified_at=None, created_at__lt=now - grace)
        .filter(Q(claimed_at=None) | Q(claimed_at__lt=now - claim_timeout()))
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return escalations_enqueue(pending)
