"""Hourly rollups of the facts, kept incrementally and rebuilt on demand.

The overview must not read a year of comments to draw a year: it reads ``HourlyRollup``, a row
per brand, hour, platform, category and level. A row is recomputed whole from the facts, never
incremented, so the incremental pass and ``rebuild_rollups`` write the same rows by
construction, and running either twice changes nothing.

Which hours to recompute: every change the rollups count leaves a row with a growing id behind.
A comment's classification (at intake, a correction, a ripple, a reach change) writes a
``Classification``; a case's change (opening, a reply, a resolution, a follow-up's answer, a
breach) writes an ``AuditEvent``. The pass reads the rows past its mark by primary key, maps
them to the hours they touch (the comment's posted hour, the case's opened hour) and
recomputes those hours with one ``INSERT … SELECT … ON CONFLICT`` per batch.

Ids are handed out before commit, so a row may become visible after a higher one. The mark
therefore only moves past rows older than ``SETTLE``: younger ones are read again on the next
pass (recomputing an hour twice is harmless). A transaction that stays open longer than that
between writing its row and committing is caught by the next rebuild, not by the pass.

A new rollup is one more ``Rollup``: its model, its keys and the queries that count its facts
for a brand's hours; the pass and the rebuild need nothing else. The top complaints' is one:
``SubjectRollup`` counts the ``SubjectMention`` rows (``mentions.py``), which the pass rewrites,
before it recomputes the hours, for the comments whose classification it read, and the rebuild
for every comment. A mention's hour is its comment's, so the hours the pass already recomputes
are the ones its changes touch.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, models, transaction
from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.functions import TruncHour
from django.utils import timezone

from cases.models import OPEN_CASE_STATUSES, AuditEvent, Case, FollowUp
from comments.models import Classification, Comment
from core.bulk import upsert_select
from reports.mentions import mentions_rebuild, mentions_refresh
from reports.models import HourlyRollup, RollupMark, SubjectMention, SubjectRollup

HOUR = timedelta(hours=1)
#: How old a fact row must be before the mark moves past it (see the module's docstring).
SETTLE = timedelta(minutes=10)
#: Fact rows one pass reads at most, of each table: a backlog is caught up over a few passes.
PASS_ROWS = 20_000
#: Hours one statement recomputes at most, and the widest span of them: hours far apart (a
#: correction of a comment from last year beside today's intake) go in separate statements, so
#: each reads a narrow range of the facts.
BATCH_HOURS = 168
BATCH_SPAN = timedelta(days=7)
MARK_NAME = "hourly"

#: A branch counts one fact table for one brand's hours: it answers a ``values`` queryset with
#: the rollup's keys as ``r_<key>`` and some of its counts under their own names.
Facts = Callable[[int, Sequence[datetime]], QuerySet]


@dataclass(frozen=True)
class Rollup:
    model: type[models.Model]
    keys: tuple[str, ...]  # attnames; brand_id and hour first
    counts: tuple[str, ...]
    branches: tuple[Facts, ...]


def _in_hours(queryset: QuerySet, instant: str, hours: Sequence[datetime]) -> QuerySet:
    """The rows of ``queryset`` whose ``instant`` falls in one of ``hours``, read as a range
    (for the index) narrowed to the hours themselves."""
    return (
        queryset.filter(**{f"{instant}__gte": hours[0], f"{instant}__lt": hours[-1] + HOUR})
        .annotate(r_hour=TruncHour(instant, tzinfo=UTC))
        .filter(r_hour__in=list(hours))
        .order_by()
    )


def _comment_facts(brand_id: int, hours: Sequence[datetime]) -> QuerySet:
    comments = _in_hours(Comment.objects.filter(brand_id=brand_id), "posted_at", hours)
    return comments.values(
        "r_hour",
        r_brand=F("brand_id"),
        r_platform=F("platform"),
        r_category=F("category"),
        r_level=F("level"),
    ).annotate(
        comments=Count("pk"),
        comments_corrected=Count("pk", filter=Q(classified_by_human=True)),
    )


def _case_facts(brand_id: int, hours: Sequence[datetime]) -> QuerySet:
    cases = _in_hours(Case.objects.filter(brand_id=brand_id), "opened_at", hours)
    return cases.values(
        "r_hour",
        r_brand=F("brand_id"),
        r_platform=F("author__platform"),
        r_category=F("category"),
        r_level=F("level"),
    ).annotate(
        cases_opened=Count("pk"),
        cases_open=Count("pk", filter=Q(status__in=OPEN_CASE_STATUSES)),
        cases_responded=Count("pk", filter=Q(responded_at__isnull=False)),
        cases_responded_in_time=Count("pk", filter=Q(responded_at__lte=F("response_due_at"))),
        cases_response_late=Count(
            "pk",
            filter=Q(responded_at__gt=F("response_due_at"))
            | Q(responded_at=None, response_breached_at__isnull=False),
        ),
        cases_resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
        cases_resolved_in_time=Count("pk", filter=Q(resolved_at__lte=F("resolution_due_at"))),
        cases_resolution_late=Count(
            "pk",
            filter=Q(resolved_at__gt=F("resolution_due_at"))
            | Q(resolved_at=None, resolution_breached_at__isnull=False),
        ),
    )


#: The check that, unanswered, closed its case as "no answer" (``cases.followups``).
UNANSWERED_FOLLOW_UP = Q(
    closes_case=True, prompted_at__isnull=False, answered_at=None, cancelled_at=None
)


def _follow_up_facts(brand_id: int, hours: Sequence[datetime]) -> QuerySet:
    follow_ups = _in_hours(FollowUp.objects.filter(brand_id=brand_id), "case__opened_at", hours)
    return follow_ups.values(
        "r_hour",
        r_brand=F("brand_id"),
        r_platform=F("case__author__platform"),
        r_category=F("case__category"),
        r_level=F("case__level"),
    ).annotate(
        follow_ups_satisfied=Count("pk", filter=Q(satisfied=True)),
        follow_ups_unsatisfied=Count("pk", filter=Q(satisfied=False)),
        follow_ups_unanswered=Count("pk", filter=UNANSWERED_FOLLOW_UP),
    )


HOURLY = Rollup(
    model=HourlyRollup,
    keys=("brand_id", "hour", "platform", "category", "level"),
    counts=(
        "comments",
        "comments_corrected",
        "cases_opened",
        "cases_open",
        "cases_responded",
        "cases_responded_in_time",
        "cases_response_late",
        "cases_resolved",
        "cases_resolved_in_time",
        "cases_resolution_late",
        "follow_ups_satisfied",
        "follow_ups_unsatisfied",
        "follow_ups_unanswered",
    ),
    branches=(_comment_facts, _case_facts, _follow_up_facts),
)


def _mention_facts(brand_id: int, hours: Sequence[datetime]) -> QuerySet:
    mentions = _in_hours(SubjectMention.objects.filter(brand_id=brand_id), "posted_at", hours)
    return mentions.values(
        "r_hour",
        r_brand=F("brand_id"),
        r_key=F("key"),
        r_platform=F("platform"),
        r_category=F("category"),
        r_level=F("level"),
    ).annotate(comments=Count("pk"))


def _subject_case_facts(brand_id: int, hours: Sequence[datetime]) -> QuerySet:
    """The cases opened in those hours, by the subjects of their comments: a case with two
    comments about one subject counts once for it."""
    mentions = _in_hours(
        SubjectMention.objects.filter(brand_id=brand_id, comment__case__isnull=False),
        "comment__case__opened_at",
        hours,
    )
    case = "comment__case"
    return mentions.values(
        "r_hour",
        r_brand=F("brand_id"),
        r_key=F("key"),
        r_platform=F(f"{case}__author__platform"),
        r_category=F(f"{case}__category"),
        r_level=F(f"{case}__level"),
    ).annotate(
        cases_opened=Count(case, distinct=True),
        cases_resolved=Count(
            case, distinct=True, filter=Q(**{f"{case}__resolved_at__isnull": False})
        ),
        cases_satisfied=Count(case, distinct=True, filter=Q(**{f"{case}__satisfied": True})),
        cases_unsatisfied=Count(case, distinct=True, filter=Q(**{f"{case}__satisfied": False})),
    )


SUBJECTS = Rollup(
    model=SubjectRollup,
    keys=("brand_id", "hour", "key", "platform", "category", "level"),
    counts=("comments", "cases_opened", "cases_resolved", "cases_satisfied", "cases_unsatisfied"),
    branches=(_mention_facts, _subject_case_facts),
)
ROLLUPS = (HOURLY, SUBJECTS)


def _alias(key: str) -> str:
    return "r_" + key.removesuffix("_id")


def _facts_select(rollup: Rollup, brand_id: int, hours: Sequence[datetime], stamp: datetime):
    """One SELECT of the rollup's rows for those hours: each branch's counts, the others' as
    zeros, summed per key."""
    keys = [_alias(key) for key in rollup.keys]
    parts: list[str] = []
    params: list = []
    for position, branch in enumerate(rollup.branches):
        queryset = branch(brand_id, hours)
        own = set(queryset.query.annotations) - {"r_hour"}
        columns = [*keys, *(name if name in own else f"0 AS {name}" for name in rollup.counts)]
        sql, branch_params = queryset.query.sql_with_params()
        parts.append(f"SELECT {', '.join(columns)} FROM ({sql}) AS b{position}")  # noqa: S608
        params.extend(branch_params)
    sums = ", ".join(f"SUM({name})" for name in rollup.counts)
    union = " UNION ALL ".join(parts)
    sql = (
        f"SELECT {', '.join(keys)}, {sums}, %s FROM ({union}) AS facts "  # noqa: S608
        f"WHERE true GROUP BY {', '.join(keys)}"
    )
    # Bound as the ORM stores it, so the stale-row delete compares like with like (SQLite keeps
    # datetimes as text, and a raw datetime parameter gains an offset the ORM's never has).
    return sql, [connection.ops.adapt_datetimefield_value(stamp), *params]


def _recompute(rollup: Rollup, brand_id: int, hours: Sequence[datetime], *, stamp) -> None:
    """Write the hours' rows as the facts say, then drop the rows of those hours the facts no
    longer have (a comment moved to another level, say): the stamp tells which were written."""
    upsert_select(
        rollup.model,
        [*rollup.keys, *rollup.counts, "computed_at"],
        _facts_select(rollup, brand_id, hours, stamp),
        unique_fields=rollup.keys,
        update_fields=[*rollup.counts, "computed_at"],
    )
    rollup.model._default_manager.filter(brand_id=brand_id, hour__in=list(hours)).exclude(
        computed_at=stamp
    ).delete()


def batches(hours: Iterable[datetime]) -> list[list[datetime]]:
    """Sorted hours in runs of at most ``BATCH_HOURS`` spanning at most ``BATCH_SPAN``."""
    runs: list[list[datetime]] = []
    for hour in sorted(set(hours)):
        if runs and len(runs[-1]) < BATCH_HOURS and hour - runs[-1][0] < BATCH_SPAN:
            runs[-1].append(hour)
        else:
            runs.append([hour])
    return runs


def hours_recompute(touched: dict[int, set[datetime]], *, stamp: datetime) -> int:
    """Recompute every rollup for these hours of these brands; answers the hours done."""
    done = 0
    for brand_id in sorted(touched):
        for run in batches(touched[brand_id]):
            for rollup in ROLLUPS:
                _recompute(rollup, brand_id, run, stamp=stamp)
            done += len(run)
    return done


# --- the incremental pass ---------------------------------------------------------------------


def _pass_slice(queryset: QuerySet, mark: int) -> QuerySet:
    """The next ``PASS_ROWS`` rows past the mark, as an id range."""
    ahead = queryset.filter(pk__gt=mark)
    last = ahead.order_by("pk").values_list("pk", flat=True)[PASS_ROWS - 1 : PASS_ROWS].first()
    return ahead if last is None else ahead.filter(pk__lte=last)


def _hours_of(queryset: QuerySet, brand: str, instant: str) -> set[tuple[int, datetime]]:
    return set(
        queryset.annotate(touched_hour=TruncHour(instant, tzinfo=UTC))
        .order_by()
        .values_list(brand, "touched_hour")
        .distinct()
    )


def _settled(queryset: QuerySet, mark: int, *, cutoff: datetime) -> int:
    latest = queryset.filter(created_at__lte=cutoff).aggregate(latest=Max("pk"))["latest"]
    return max(mark, latest or 0)


def _touched_since(mark: RollupMark, *, now: datetime) -> dict[int, set[datetime]]:
    """The hours the facts written since the mark touch, by brand, with the mentions of the
    comments classified since rewritten; moves the mark in memory."""
    cutoff = now - SETTLE
    decisions = _pass_slice(Classification.objects.all(), mark.classification_id)
    events = _pass_slice(AuditEvent.objects.filter(case__isnull=False), mark.audit_event_id)
    mentions_refresh(decisions.order_by().values_list("comment_id", flat=True).distinct())
    pairs = (
        _hours_of(decisions, "comment__brand_id", "comment__posted_at")
        | _hours_of(
            decisions.filter(comment__case__isnull=False),
            "comment__case__brand_id",
            "comment__case__opened_at",
        )
        | _hours_of(events, "case__brand_id", "case__opened_at")
    )
    mark.classification_id = _settled(decisions, mark.classification_id, cutoff=cutoff)
    mark.audit_event_id = _settled(events, mark.audit_event_id, cutoff=cutoff)
    touched: dict[int, set[datetime]] = defaultdict(set)
    for brand_id, hour in pairs:
        touched[brand_id].add(hour)
    return touched


def _locked_mark(*, wait: bool) -> RollupMark | None:
    """The pass's mark, locked for this transaction; None when another pass holds it and
    ``wait`` is off (beat's overlapping run has nothing to add)."""
    RollupMark.objects.get_or_create(name=MARK_NAME)
    marks = RollupMark.objects.filter(name=MARK_NAME)
    locked = marks.select_for_update() if wait else marks.select_for_update(skip_locked=True)
    return locked.first()


def rollups_update(*, now: datetime | None = None) -> int:
    """Recompute the hours the facts touched since the last pass; answers how many. Idempotent:
    a second run right after recomputes the same unsettled hours to the same rows."""
    now = now or timezone.now()
    with transaction.atomic():
        mark = _locked_mark(wait=False)
        if mark is None:
            return 0
        done = hours_recompute(_touched_since(mark, now=now), stamp=now)
        mark.ran_at = now
        mark.save(update_fields=["classification_id", "audit_event_id", "ran_at"])
    return done


# --- the rebuild ------------------------------------------------------------------------------


def _hours_since(queryset: QuerySet, instant: str, since: datetime | None) -> QuerySet:
    if since is not None:
        queryset = queryset.filter(**{f"{instant}__gte": since})
    return queryset


def rollups_rebuild(*, brand_ids: Sequence[int], since: date | None = None) -> int:
    """Recompute every hour of those brands from the facts (from ``since``, a UTC date, when
    given), their comments' mentions first, and drop rows no fact supports; answers the hours
    written. Holds the pass's mark, so the incremental pass waits rather than interleaves."""
    start = datetime.combine(since, time(0), tzinfo=UTC) if since is not None else None
    now = timezone.now()
    touched: dict[int, set[datetime]] = defaultdict(set)
    sources = (
        (Comment.objects.filter(brand_id__in=brand_ids), "brand_id", "posted_at"),
        (Case.objects.filter(brand_id__in=brand_ids), "brand_id", "opened_at"),
        (HourlyRollup.objects.filter(brand_id__in=brand_ids), "brand_id", "hour"),
        (SubjectRollup.objects.filter(brand_id__in=brand_ids), "brand_id", "hour"),
    )
    with transaction.atomic():
        _locked_mark(wait=True)
        mentions_rebuild(brand_ids=brand_ids, since=start)
        for queryset, brand, instant in sources:
            for brand_id, hour in _hours_of(_hours_since(queryset, instant, start), brand, instant):
                touched[brand_id].add(hour)
        return hours_recompute(touched, stamp=now)
