"""The crisis timeline: the one way to write what happened to a crisis, and when.

Every writer (opening, calling, acknowledging, moving a crisis on, statements, the measure of
containment, the post-mortem) goes through these functions, so an event always has its time
and its data is never ``None``.
"""

from datetime import datetime

from django.utils import timezone

from crisis.models import Crisis, CrisisEvent


def timeline_entry(
    crisis: Crisis,
    kind: str,
    *,
    actor=None,
    text: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> CrisisEvent:
    """An event not written yet, for a writer that records a whole chunk in one statement
    (``timeline_record_many``)."""
    return CrisisEvent(
        crisis=crisis, kind=kind, at=at or timezone.now(), actor=actor, text=text, data=data or {}
    )


def timeline_record(
    crisis: Crisis,
    kind: str,
    *,
    actor=None,
    text: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> CrisisEvent:
    """Write one event on the crisis's timeline (by default, now)."""
    event = timeline_entry(crisis, kind, actor=actor, text=text, data=data, at=at)
    event.save(force_insert=True)
    return event


def timeline_record_many(entries: list[CrisisEvent]) -> None:
    """Write the events of a chunk (``timeline_entry``) in one insert."""
    CrisisEvent.objects.bulk_create(entries)


def timeline_correct_time(crisis: Crisis, kind: str, *, was: datetime, at: datetime) -> None:
    """Move the latest ``kind`` event stamped ``was`` to ``at``: the one correction the
    append-only timeline allows, for a measured moment that later facts moved."""
    event = crisis.events.filter(kind=kind, at=was).order_by("-id").first()
    if event is not None:
        CrisisEvent.objects.filter(pk=event.pk).update(at=at)
