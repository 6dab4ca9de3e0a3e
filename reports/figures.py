"""The overview's figures, as plain functions of a ``Scope``: the page, the API and (later) the
weekly mail read the same numbers.

Counts come from the hourly rollups, so a year costs what a year of hours costs, not what a
year of comments does. Medians and 90th percentiles cannot be added up hour by hour: they are
computed from the cases opened in the period, which the period bounds.

Case figures are those of the cases opened in the period (a cohort): "of the cases opened last
week, how many were answered in time" keeps its meaning when the week's cases are worked on
later, and it is the same question the rollup answers per hour.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import floor

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DateField,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models import Case as Choose
from django.db.models.expressions import RawSQL
from django.db.models.functions import Trunc, TruncDate

from cases.models import (
    OPEN_CASE_STATUSES,
    AuditAction,
    AuditEvent,
    Case,
    DepartmentRequest,
    Outcome,
)
from comments.models import Author, Comment
from core.taxonomy import Category, Level
from crisis.models import Crisis
from crisis.postmortem import crisis_clocks
from replies.models import CaseStep, ProtocolStep
from reports.models import HourlyRollup
from reports.periods import Bucket, Period

LEVELS = [Level.RED, Level.YELLOW, Level.GREEN]

#: Ages of an open case, in hours: under 1, 1 to 4, 4 to 24, 1 to 3 days, more.
AGE_LIMITS_H = (1, 4, 24, 72)
AGE_LABELS = ("<1h", "1-4h", "4-24h", "1-3d", ">3d")


@dataclass(frozen=True)
class Scope:
    """What a report reads: the brands (already narrowed to the person's), the period, the
    bucket, and the optional filters (empty: all)."""

    brand_ids: frozenset[int]
    period: Period
    bucket: str = Bucket.DAY
    platform: str = ""
    category: str = ""
    level: str = ""


def share(part: int, whole: int) -> float | None:
    """A rate to four places; None when there is nothing to divide (an empty period)."""
    return round(part / whole, 4) if whole else None


def _rollups(scope: Scope) -> QuerySet[HourlyRollup]:
    rows = HourlyRollup.objects.filter(
        brand_id__in=sorted(scope.brand_ids),
        hour__gte=scope.period.start,
        hour__lt=scope.period.end,
    )
    for field in ("platform", "category", "level"):
        if value := getattr(scope, field):
            rows = rows.filter(**{field: value})
    return rows


def _cases(scope: Scope) -> QuerySet[Case]:
    """The cases opened in the period, filtered as the rollups are (the platform is the
    author's)."""
    cases = Case.objects.filter(
        brand_id__in=sorted(scope.brand_ids),
        opened_at__gte=scope.period.start,
        opened_at__lt=scope.period.end,
    )
    return _case_filters(cases, scope)


def _case_filters(cases: QuerySet[Case], scope: Scope) -> QuerySet[Case]:
    if scope.platform:
        cases = cases.filter(author__platform=scope.platform)
    if scope.category:
        cases = cases.filter(category=scope.category)
    if scope.level:
        cases = cases.filter(level=scope.level)
    return cases


def _bucket_of(scope: Scope):
    zone = scope.period.zone
    if scope.bucket == Bucket.HOUR:
        return F("hour")
    if scope.bucket == Bucket.DAY:
        return TruncDate("hour", tzinfo=zone)
    return Trunc("hour", "week", output_field=DateField(), tzinfo=zone)


def _per_bucket(scope: Scope, keys: list, by: tuple[str, ...], **sums):
    """The rollups' ``sums`` per bucket and ``by``, each row with its bucket's place in
    ``keys``."""
    position = {key: n for n, key in enumerate(keys)}
    rows = (
        _rollups(scope)
        .annotate(bucket=_bucket_of(scope))
        .values("bucket", *by)
        .annotate(**sums)
        .order_by()
    )
    for row in rows:
        yield position[row["bucket"]], row


# --- volume -----------------------------------------------------------------------------------


def volume(scope: Scope) -> dict:
    """Comments per bucket by level and by category, with the share of reds and yellows."""
    keys = scope.period.buckets(scope.bucket)
    by_level = {level.value: [0] * len(keys) for level in LEVELS}
    by_category = {category.value: [0] * len(keys) for category in Category}
    for n, row in _per_bucket(scope, keys, ("level", "category"), comments=Sum("comments")):
        by_level[row["level"]][n] += row["comments"]
        by_category[row["category"]][n] += row["comments"]
    totals = [sum(counts) for counts in zip(*by_level.values(), strict=True)]
    whole = sum(totals)
    red, yellow = sum(by_level[Level.RED]), sum(by_level[Level.YELLOW])
    return {
        "buckets": [scope.period.label(key) for key in keys],
        "levels": by_level,
        "categories": by_category,
        "totals": totals,
        "red_share": [share(r, t) for r, t in zip(by_level[Level.RED], totals, strict=True)],
        "yellow_share": [share(y, t) for y, t in zip(by_level[Level.YELLOW], totals, strict=True)],
        "summary": {
            "comments": whole,
            "red": red,
            "yellow": yellow,
            "green": sum(by_level[Level.GREEN]),
            "red_share": share(red, whole),
            "yellow_share": share(yellow, whole),
        },
    }


# --- open cases -------------------------------------------------------------------------------


def open_cases(scope: Scope, *, now: datetime) -> dict:
    """The cases open now, by level and by how long they have been open. Not bounded by the
    period (an open case is today's work, whenever it came), but by its filters."""
    cases = _case_filters(
        Case.objects.filter(brand_id__in=sorted(scope.brand_ids), status__in=OPEN_CASE_STATUSES),
        scope,
    )
    age = Choose(
        *(
            When(opened_at__gt=now - timedelta(hours=hours), then=Value(n))
            for n, hours in enumerate(AGE_LIMITS_H)
        ),
        default=Value(len(AGE_LIMITS_H)),
        output_field=IntegerField(),
    )
    counts = {level.value: [0] * len(AGE_LABELS) for level in LEVELS}
    rows = cases.annotate(age=age).values("level", "age").annotate(n=Count("pk")).order_by()
    for row in rows:
        counts[row["level"]][row["age"]] += row["n"]
    return {
        "ages": list(AGE_LABELS),
        "levels": counts,
        "total": sum(sum(per_age) for per_age in counts.values()),
    }


# --- the clocks -------------------------------------------------------------------------------

_TABLE = Case._meta.db_table
#: Seconds to the first response, and to the resolution without the time spent waiting on the
#: customer or a department (the time the resolution clock counted). NULL while not reached.
_SECONDS = {
    "postgresql": {
        "response": f'EXTRACT(EPOCH FROM ("{_TABLE}"."responded_at" - "{_TABLE}"."opened_at"))',
        "resolution": f'EXTRACT(EPOCH FROM ("{_TABLE}"."resolved_at" - "{_TABLE}"."opened_at"))'
        f' - "{_TABLE}"."paused_seconds"',
    },
}


class _Percentile(Aggregate):
    """PostgreSQL's ``percentile_cont``: the interpolated value below which ``fraction`` of the
    (non-NULL) values lie."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, *, fraction: float, **extra):
        super().__init__(
            expression, fraction=repr(float(fraction)), output_field=FloatField(), **extra
        )


def percentile(values: Iterable[float], fraction: float) -> float | None:
    """``percentile_cont`` in Python, for databases without it (the embedded SQLite)."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = fraction * (len(ordered) - 1)
    low = floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median_and_p90(values: list[float]) -> dict:
    return {"median": percentile(values, 0.5), "p90": percentile(values, 0.9)}


def _seconds(case_row: dict, clock: str) -> float | None:
    if clock == "response":
        done = case_row["responded_at"]
        return None if done is None else (done - case_row["opened_at"]).total_seconds()
    done = case_row["resolved_at"]
    if done is None:
        return None
    return (done - case_row["opened_at"]).total_seconds() - case_row["paused_seconds"]


_CLOCKS = ("response", "resolution")


def _clock_percentiles(cases: QuerySet[Case], group: str | None) -> dict:
    """``{group value: {"response": {median, p90}, "resolution": {…}}}`` over the cases; with
    no ``group``, the one entry is keyed None."""
    if connection.vendor in _SECONDS:
        seconds = _SECONDS[connection.vendor]
        aggregates = {
            # The SQL is this module's constant, naming only the case table's columns.
            f"{clock}_{name}": _Percentile(RawSQL(seconds[clock], []), fraction=fraction)  # noqa: S611
            for clock in _CLOCKS
            for name, fraction in (("median", 0.5), ("p90", 0.9))
        }
        rows: list[dict]
        if group is None:
            rows = [{None: None, **cases.aggregate(**aggregates)}]
        else:
            rows = list(cases.values(group).annotate(**aggregates).order_by())
        return {
            row[group]: {
                clock: {"median": row[f"{clock}_median"], "p90": row[f"{clock}_p90"]}
                for clock in _CLOCKS
            }
            for row in rows
        }
    values: dict = defaultdict(lambda: {clock: [] for clock in _CLOCKS})
    fields = ["opened_at", "responded_at", "resolved_at", "paused_seconds"]
    for row in cases.values(*fields, *([group] if group else [])):
        for clock in _CLOCKS:
            if (value := _seconds(row, clock)) is not None:
                values[row.get(group) if group else None][clock].append(value)
    return {
        key: {clock: median_and_p90(v) for clock, v in per_clock.items()}
        for key, per_clock in values.items()
    }


def _compliance(rows: dict) -> dict:
    return {
        "responded": rows["responded"],
        "response_in_time": rows["response_in_time"],
        "response_late": rows["response_late"],
        "response_compliance": share(
            rows["response_in_time"], rows["response_in_time"] + rows["response_late"]
        ),
        "resolved": rows["resolved"],
        "resolution_in_time": rows["resolution_in_time"],
        "resolution_late": rows["resolution_late"],
        "resolution_compliance": share(
            rows["resolution_in_time"], rows["resolution_in_time"] + rows["resolution_late"]
        ),
    }


_CLOCK_SUMS = {
    "opened": Sum("cases_opened"),
    "responded": Sum("cases_responded"),
    "response_in_time": Sum("cases_responded_in_time"),
    "response_late": Sum("cases_response_late"),
    "resolved": Sum("cases_resolved"),
    "resolution_in_time": Sum("cases_resolved_in_time"),
    "resolution_late": Sum("cases_resolution_late"),
}
_NO_TIMES = {"response": {"median": None, "p90": None}, "resolution": {"median": None, "p90": None}}


def clock_times(scope: Scope) -> dict:
    """Per level and for all: first-response and resolution times (median and p90, seconds)
    and the share of each clock's deadlines met. A clock is late when it stopped after its
    deadline or when the deadline watch found it running past it; one still running in time
    counts neither way."""
    sums: dict[str, dict] = {
        row["level"]: dict(row)
        for row in _rollups(scope).values("level").annotate(**_CLOCK_SUMS).order_by()
    }
    times = _clock_percentiles(_cases(scope), "level")
    everything = _clock_percentiles(_cases(scope), None)
    empty: dict = dict.fromkeys(_CLOCK_SUMS, 0)
    per_level = {}
    for level in LEVELS:
        counts = sums.get(level.value, empty)
        per_level[level.value] = {
            "opened": counts["opened"],
            **times.get(level.value, _NO_TIMES),
            **_compliance(counts),
        }
    total = {name: sum(sums.get(lv.value, empty)[name] for lv in LEVELS) for name in _CLOCK_SUMS}
    return {
        "levels": per_level,
        "all": {"opened": total["opened"], **everything.get(None, _NO_TIMES), **_compliance(total)},
    }


# --- follow-ups -------------------------------------------------------------------------------


def satisfaction(scope: Scope) -> dict:
    """What the customers answered to the follow-ups of the period's cases: the satisfaction
    rate of those who answered, and the share of rounds that ended with no answer at all."""
    sums = _rollups(scope).aggregate(
        satisfied=Sum("follow_ups_satisfied", default=0),
        unsatisfied=Sum("follow_ups_unsatisfied", default=0),
        unanswered=Sum("follow_ups_unanswered", default=0),
    )
    answered = sums["satisfied"] + sums["unsatisfied"]
    return {
        **sums,
        "satisfaction_rate": share(sums["satisfied"], answered),
        "no_answer_rate": share(sums["unanswered"], answered + sums["unanswered"]),
    }


# --- people -----------------------------------------------------------------------------------


def cases_per_person(scope: Scope) -> list[dict]:
    """The period's cases by the person assigned (None: nobody yet), with their times."""
    cases = _cases(scope)
    counts = (
        cases.values("assignee__username")
        .annotate(
            cases=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_CASE_STATUSES)),
            resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
            response_in_time=Count("pk", filter=Q(responded_at__lte=F("response_due_at"))),
            response_late=Count(
                "pk",
                filter=Q(responded_at__gt=F("response_due_at"))
                | Q(responded_at=None, response_breached_at__isnull=False),
            ),
        )
        .order_by()
    )
    times = _clock_percentiles(cases, "assignee__username")
    people = [
        {
            "person": row["assignee__username"],
            "cases": row["cases"],
            "open": row["open"],
            "resolved": row["resolved"],
            "response_compliance": share(
                row["response_in_time"], row["response_in_time"] + row["response_late"]
            ),
            **times.get(row["assignee__username"], _NO_TIMES),
        }
        for row in counts
    ]
    return sorted(people, key=lambda p: (p["person"] is None, -p["cases"], p["person"] or ""))


def cases_per_department(scope: Scope) -> list[dict]:
    """The departments the period's cases were sent to: requests, those answered, the time they
    took to answer (median and p90, seconds) and the share answered by the time it was due."""
    rows = DepartmentRequest.objects.filter(case__in=_cases(scope)).values_list(
        "department__name", "requested_at", "answered_at", "due_at"
    )
    groups: dict[str, list[tuple]] = defaultdict(list)
    for name, requested_at, answered_at, due_at in rows.iterator():
        groups[name].append((requested_at, answered_at, due_at))
    figures = []
    for name, requests in sorted(groups.items()):
        answered = [(r, a, d) for r, a, d in requests if a is not None]
        seconds = [(a - r).total_seconds() for r, a, _ in answered]
        figures.append(
            {
                "department": name,
                "requests": len(requests),
                "answered": len(answered),
                **median_and_p90(seconds),
                "in_time": share(sum(a <= d for _, a, d in answered), len(answered)),
            }
        )
    return figures


# --- protocol ---------------------------------------------------------------------------------


def protocol_steps(scope: Scope) -> list[dict]:
    """Each protocol step done on the period's cases: on how many, how long after the case
    opened (median and p90, seconds), the share done within the step's time where it had one,
    and on how many of the period's resolved cases of its kind it was skipped. A step is the
    step as it was when done (its kind of case, place and text), so a step rewritten later
    counts as a step of its own."""
    rows = CaseStep.objects.filter(case__in=_cases(scope)).values_list(
        "case__category",
        "case__level",
        "position",
        "text",
        "owner",
        "expected_minutes",
        "done_at",
        "case__opened_at",
        "case__resolved_at",
    )
    groups: dict[tuple, list[tuple[float, int | None, bool]]] = defaultdict(list)
    for (
        category,
        level,
        position,
        text,
        owner,
        expected,
        done_at,
        opened_at,
        ended,
    ) in rows.iterator():
        groups[(category, level, position, text, owner)].append(
            ((done_at - opened_at).total_seconds(), expected, ended is not None)
        )
    resolved = _cases(scope).filter(resolved_at__isnull=False)
    resolved_of_kind = {
        (category, level): count
        for category, level, count in resolved.values_list("category", "level")
        .annotate(n=Count("pk"))
        .order_by()
    }
    for key in _steps_never_done(scope, resolved, set(groups)):
        groups[key] = []
    categories, levels = list(Category.values), [level.value for level in LEVELS]
    figures = []
    for (category, level, position, text, owner), done in sorted(
        groups.items(),
        key=lambda item: (categories.index(item[0][0]), levels.index(item[0][1]), item[0][2]),
    ):
        figures.append(
            {
                "category": category,
                "level": level,
                "position": position + 1,
                "step": text,
                "owner": owner,
                **_step_times(done),
                "skipped": resolved_of_kind.get((category, level), 0)
                - sum(on_resolved for _, _, on_resolved in done),
            }
        )
    return figures


def _steps_never_done(scope: Scope, resolved: QuerySet[Case], seen: set[tuple]) -> set[tuple]:
    """The steps of the protocols of the period's resolved cases that no case of the period
    did (each skipped on every one of them), keyed as the steps done are."""
    kinds = set(resolved.values_list("brand_id", "category", "level").distinct())
    steps = ProtocolStep.objects.filter(protocol__brand_id__in=sorted(scope.brand_ids))
    never = set()
    for step in steps.select_related("protocol", "owner_department"):
        protocol = step.protocol
        key = (protocol.category, protocol.level, step.position, step.text, step.owner_key)
        if (protocol.brand_id, protocol.category, protocol.level) in kinds and key not in seen:
            never.add(key)
    return never


def step_owners(scope: Scope) -> list[dict]:
    """The same times per owner (a role or a department), over all the steps they owned."""
    rows = CaseStep.objects.filter(case__in=_cases(scope)).values_list(
        "owner", "expected_minutes", "done_at", "case__opened_at"
    )
    groups: dict[str, list[tuple[float, int | None, bool]]] = defaultdict(list)
    for owner, expected, done_at, opened_at in rows.iterator():
        groups[owner].append(((done_at - opened_at).total_seconds(), expected, False))
    return [{"owner": owner, **_step_times(done)} for owner, done in sorted(groups.items())]


def _step_times(done: list[tuple[float, int | None, bool]]) -> dict:
    seconds = [took for took, _, _ in done]
    timed = [(took, expected) for took, expected, _ in done if expected]
    return {
        "done": len(done),
        **median_and_p90(seconds),
        "on_time": share(sum(took <= e * 60 for took, e in timed), len(timed)),
    }


def outcomes(scope: Scope) -> dict:
    """How the period's resolved cases ended, and the approved intermediate solutions chosen."""
    resolved = _cases(scope).exclude(outcome="")
    counts = dict(resolved.values_list("outcome").annotate(n=Count("pk")).order_by())
    total = sum(counts.values())
    chosen = (
        resolved.filter(outcome=Outcome.INTERMEDIATE)
        .exclude(intermediate_solution="")
        .values("intermediate_solution")
        .annotate(cases=Count("pk"))
        .order_by("-cases", "intermediate_solution")
    )
    return {
        "resolved": total,
        **{outcome: counts.get(outcome, 0) for outcome in Outcome.values},
        "intermediate_share": share(counts.get(Outcome.INTERMEDIATE, 0), total),
        "solutions": [
            {"name": row["intermediate_solution"], "cases": row["cases"]} for row in chosen
        ],
    }


# --- the classifier, trolls and crises ---------------------------------------------------------


def corrections(scope: Scope) -> dict:
    """How often a person decided a comment's classification, per category (the one it has
    now) and per bucket: a rate that falls over the weeks says the model learns."""
    keys = scope.period.buckets(scope.bucket)
    comments, corrected = [0] * len(keys), [0] * len(keys)
    per_category = {category.value: [0, 0] for category in Category}
    sums = {"comments": Sum("comments"), "corrected": Sum("comments_corrected")}
    for n, row in _per_bucket(scope, keys, ("category",), **sums):
        comments[n] += row["comments"]
        corrected[n] += row["corrected"]
        per_category[row["category"]][0] += row["comments"]
        per_category[row["category"]][1] += row["corrected"]
    return {
        "categories": [
            {"category": category, "comments": seen, "corrected": fixed, "rate": share(fixed, seen)}
            for category, (seen, fixed) in per_category.items()
        ],
        "rate": [share(fixed, seen) for seen, fixed in zip(comments, corrected, strict=True)],
        "comments": sum(comments),
        "corrected": sum(corrected),
        "overall_rate": share(sum(corrected), sum(comments)),
    }


def trolls(scope: Scope) -> dict:
    """The authors the desk treats as trolls now (monitored, not fed), those flagged in the
    period, and what the monitored ones wrote in it."""
    brand_ids = sorted(scope.brand_ids)
    authors = Author.objects.filter(brand_id__in=brand_ids, is_troll=True)
    if scope.platform:
        authors = authors.filter(platform=scope.platform)
    # The few trolls, then each one's comments of the period (``comment_author_posted``).
    written = Comment.objects.filter(
        author_id__in=authors.values("pk"),
        posted_at__gte=scope.period.start,
        posted_at__lt=scope.period.end,
    )
    if scope.category:
        written = written.filter(category=scope.category)
    if scope.level:
        written = written.filter(level=scope.level)
    flagged = AuditEvent.objects.filter(
        brand_id__in=brand_ids,
        action=AuditAction.TROLL_FLAGGED,
        created_at__gte=scope.period.start,
        created_at__lt=scope.period.end,
    )
    if scope.platform:
        flagged = flagged.filter(author__platform=scope.platform)
    return {
        "monitored": authors.count(),
        "flagged": flagged.count(),
        "comments": written.count(),
    }


#: The clocks of a crisis as its evaluation measures them, each from the first related
#: comment's posting (``crisis.postmortem``).
CRISIS_CLOCKS = {
    "detect": "time_to_detect_s",
    "notify": "time_to_notify_s",
    "acknowledge": "time_to_acknowledge_s",
    "respond": "time_to_first_response_s",
    "contain": "time_to_containment_s",  # marked by the committee
}


def crises(scope: Scope) -> dict:
    """The crises opened in the period, each with its clocks, and their median and 90th
    percentile. A closed crisis reads the facts frozen in its evaluation; an open one is
    measured now. Crises are a brand's, not a platform's nor a category's: only the brands and
    the period narrow them."""
    opened = (
        Crisis.objects.filter(
            brand_id__in=sorted(scope.brand_ids),
            opened_at__gte=scope.period.start,
            opened_at__lt=scope.period.end,
        )
        .select_related("postmortem")
        .order_by("opened_at", "pk")
    )
    listed, seconds = [], defaultdict(list)
    for crisis in opened:
        frozen = getattr(crisis, "postmortem", None)
        facts = frozen.facts if frozen else crisis_clocks(crisis=crisis)
        clocks = {clock: facts.get(key) for clock, key in CRISIS_CLOCKS.items()}
        for clock, value in clocks.items():
            if value is not None:
                seconds[clock].append(value)
        listed.append(
            {
                "id": crisis.pk,
                "subject": crisis.subject,
                "severity": crisis.severity,
                "status": crisis.status,
                "opened_at": crisis.opened_at.isoformat(),
                **clocks,
            }
        )
    return {
        "opened": len(listed),
        "clocks": {clock: median_and_p90(seconds[clock]) for clock in CRISIS_CLOCKS},
        "crises": listed,
    }


def overview(scope: Scope, *, now: datetime) -> dict:
    """Every figure of the overview page, as the page and the API give it."""
    return {
        "period": {
            "since": scope.period.first_day.isoformat(),
            "until": scope.period.last_day.isoformat(),
            "time_zone": scope.period.zone.key,
            "bucket": scope.bucket,
        },
        "volume": volume(scope),
        "open_cases": open_cases(scope, now=now),
        "clocks": clock_times(scope),
        "satisfaction": satisfaction(scope),
        "people": cases_per_person(scope),
        "departments": cases_per_department(scope),
        "steps": protocol_steps(scope),
        "step_owners": step_owners(scope),
        "outcomes": outcomes(scope),
        "corrections": corrections(scope),
        "trolls": trolls(scope),
        "crises": crises(scope),
    }
