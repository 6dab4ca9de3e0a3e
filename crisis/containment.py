"""Containment measured from the rate, not only declared: the taxonomy's ripple threshold read
backwards.

A ripple is at least ``min_authors`` distinct authors inside ``window_minutes`` (the brand's
``Brand.ripple()``, the desk's settings where the brand set none). A crisis's rate is over that
threshold in a minute when its related comments (``selectors.related_comments``) posted in the
trailing window ending with that minute come from at least ``min_authors`` distinct authors.
The crisis is *contained by the rate* at the start of the first minute after the last minute it
was over; a crisis whose rate never reached the threshold counts as contained from the moment it
was opened (there was no wave to stop). While the current minute is over, it is not contained.

Distinct authors, not comments, because that is what the threshold counts: one angry customer
posting twenty times is not a ripple. The measure is recomputed from the records every time
(``crisis_measure_containment``), so late-arriving comments correct it; a beat task refreshes
the open crises once a minute and closing a crisis measures it once more.
"""

from collections import Counter, defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from crisis import selectors
from crisis.models import Crisis, CrisisStatus, EventKind
from crisis.timeline import timeline_correct_time, timeline_record

MINUTE = timedelta(minutes=1)
#: Open crises measured per beat pass, newest first: they are the likeliest to move.
MEASURE_BATCH = 200


def _floor(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def rate_contained_at(*, crisis: Crisis, now: datetime | None = None) -> datetime | None:
    """When the crisis's rate fell back under the ripple threshold, or None while it is over.

    Reads one row per (minute, author) of the related comments and slides the window over them
    in Python: a crisis has thousands of comments at most, and the minutes walked stop one
    window after the last comment.
    """
    now = now or timezone.now()
    threshold = crisis.brand.ripple()
    min_authors, window = threshold["min_authors"], threshold["window_minutes"]
    authors_by_minute: dict[datetime, set[int]] = defaultdict(set)
    for posted_at, author_id in (
        selectors.related_comments(crisis)
        .filter(posted_at__lte=now)
        .values_list("posted_at", "author_id")
    ):
        authors_by_minute[_floor(posted_at)].add(author_id)
    current = _floor(now)
    last_over = None
    if authors_by_minute:
        minute, last = min(authors_by_minute), max(authors_by_minute)
        end = min(current, last + (window - 1) * MINUTE)
        in_window: Counter[int] = Counter()
        while minute <= end:
            in_window.update(authors_by_minute.get(minute, ()))
            leaving = authors_by_minute.get(minute - window * MINUTE, ())
            in_window.subtract(leaving)
            for author in leaving:
                if in_window[author] <= 0:
                    del in_window[author]
            if len(in_window) >= min_authors:
                last_over = minute
            minute += MINUTE
    if last_over is None:
        return crisis.opened_at if crisis.opened_at <= now else None
    if last_over >= current:
        return None
    return last_over + MINUTE


def crisis_measure_containment(*, crisis: Crisis, now: datetime | None = None) -> datetime | None:
    """Measure and store ``rate_contained_at``; the timeline says when the rate went under the
    threshold (and over it again, if a second wave came). Idempotent: an unchanged measure
    writes nothing, and the conditional UPDATE lets only one of two concurrent passes write
    the event."""
    measured = rate_contained_at(crisis=crisis, now=now)
    stored = crisis.rate_contained_at
    if measured == stored:
        return measured
    threshold = crisis.brand.ripple()
    with transaction.atomic():
        won = Crisis.objects.filter(pk=crisis.pk, rate_contained_at=stored).update(
            rate_contained_at=measured
        )
        if won:
            if measured is None:
                timeline_record(
                    crisis, EventKind.RATE_OVER, at=now or timezone.now(), data=threshold
                )
            elif stored is None:
                # (A crisis that never reached the threshold had no wave to stop: its measure is
                # its opening, and the timeline does not claim the rate came back under.)
                if measured != crisis.opened_at:
                    timeline_record(crisis, EventKind.RATE_CONTAINED, at=measured, data=threshold)
            else:  # late comments moved the moment: correct the event, do not add one
                timeline_correct_time(crisis, EventKind.RATE_CONTAINED, was=stored, at=measured)
    crisis.rate_contained_at = (
        measured
        if won
        else Crisis.objects.values_list("rate_contained_at", flat=True).get(pk=crisis.pk)
    )
    return crisis.rate_contained_at


def crises_measure_containment(*, now: datetime | None = None) -> int:
    """The beat's pass: measure every crisis not closed yet; answers how many changed."""
    now = now or timezone.now()
    changed = 0
    for crisis in (
        Crisis.objects.exclude(status=CrisisStatus.CLOSED)
        .select_related("brand")
        .order_by("-opened_at")[:MEASURE_BATCH]
    ):
        before = crisis.rate_contained_at
        if crisis_measure_containment(crisis=crisis, now=now) != before:
            changed += 1
    return changed
