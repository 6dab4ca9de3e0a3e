"""The most frequent complaints: a period's negative comments grouped by what they are about,
with their trend, examples and cases, and the names supervisors give them.

Grouping is the ripple detector's own: a comment's subjects are the keys of its ripple
signature (``classifier.ripple.subject_keys``: each concept it names, or its stem topic), kept
per comment (``SubjectMention``) and per brand, hour and key (``SubjectRollup``) by the rollup
pass. A report reads rollup hours and index ranges, never the comments' text, in statements
whose number does not grow with the table (one more per merged subject shown):

- a subject's comments and cases (opened in the period and holding a comment about it; how many
  were resolved, what the customers answered to the follow-up) are sums of its rollup rows,
  ranked by the database, which answers only the first keys;
- its count in the previous period, of as many days, is the same sum over that period, read for
  the subjects shown and those the rising rule is tried on;
- its distinct authors are counted from its mentions in the period (distinct counts do not add
  up hour by hour), from the mentions' index alone, for the same subjects;
- its examples are its latest mentions in the period: a short backward range of that index per
  subject shown, in one statement.

Subjects and names. A key nobody touched is a subject of its own, named by its words ("cobro
doble"). A supervisor may name a subject, or merge several into one (``subjects_merge``); the
names and merges are ``ComplaintSubject`` rows that map keys, not comments, so they hold for
every later period. A merged subject's comments and cases are the sums of its keys' (a comment
naming two of its concepts counts for each, as it did before the merge); its authors are
counted once across them.

Trend. A period that has ended is compared by counts; one still running (today, this week) at
its pace: its count so far scaled to the whole period (``projected``), so a day at 10:00 is not
read as a quiet day.

Rising. A subject is rising when in the period it has at least ``RISING_MIN_COMMENTS`` comments
from ``RISING_MIN_AUTHORS`` distinct authors and its projected count is at least
``RISING_FACTOR`` times the previous period's (or the previous period had none). A ripple is 10
authors within an hour (TAXONOMY.md); this catches the complaint that grows slower, or before it
gets there. Rising subjects below the top ones are listed after them.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, IntegerField, Q, QuerySet, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.access import brand_ids_for
from brands.models import Brand
from cases.models import AuditAction, AuditEvent
from classifier.ripple import subject_in_ripple, subject_topic
from classifier.signature import CONCEPT_MARK
from comments.classification import term_label
from comments.models import Comment, Ripple
from core.errors import DomainError
from reports.figures import Scope, share
from reports.models import ComplaintSubject, SubjectKey, SubjectMention, SubjectRollup
from reports.periods import Period

NAME = "reports.name_subjects"

#: How many subjects a report lists by default, and at most.
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
#: Examples shown per subject.
EXAMPLES = 3
#: The rising rule (see the module's docstring).
RISING_FACTOR = 2.0
RISING_MIN_COMMENTS = 5
RISING_MIN_AUTHORS = 3
#: Rising subjects listed below the top ones, at most; and how many subjects below the top,
#: by count, the rising rule is tried on.
RISING_EXTRA = 5
RISING_SCAN = 50
#: Ripples of a period a report looks at, at most.
RIPPLES_READ = 200
NAME_CHARS = 120

#: What a subject sums of its rollup rows in the period.
_COUNTS = ("comments", "cases_opened", "cases_resolved", "cases_satisfied", "cases_unsatisfied")


@dataclass
class _Subject:
    brand_id: int
    keys: list[str]
    subject_id: int | None = None
    name: str = ""
    sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_COUNTS, 0))
    previous: int = 0
    authors: int = 0

    @property
    def comments(self) -> int:
        return self.sums["comments"]

    @property
    def order(self) -> tuple:
        """Most comments first; then concepts before stem topics, for a steady order."""
        return (-self.comments, self.brand_id, [key_order(key) for key in self.keys])


def previous_period(period: Period) -> Period:
    """The period just before ``period``, of as many days."""
    return Period(
        period.first_day - timedelta(days=period.days),
        period.first_day - timedelta(days=1),
        period.zone,
    )


def key_label(key: str) -> str:
    """A subject key in words, in the active language: a concept by its name, a stem topic by
    its stems."""
    return ", ".join(term_label(term) for term in sorted(subject_topic(key)))


def key_order(key: str) -> tuple[bool, str]:
    """Concepts first (they read as words), then stem topics; each alphabetically."""
    return (not key.startswith(CONCEPT_MARK), key)


# --- reading ----------------------------------------------------------------------------------


def _filtered(rows: QuerySet, scope: Scope) -> QuerySet:
    for name in ("platform", "category", "level"):
        if value := getattr(scope, name):
            rows = rows.filter(**{name: value})
    return rows


def _rollups(scope: Scope, period: Period) -> QuerySet[SubjectRollup]:
    rows = SubjectRollup.objects.filter(
        brand_id__in=sorted(scope.brand_ids), hour__gte=period.start, hour__lt=period.end
    )
    return _filtered(rows, scope)


def _mentions(scope: Scope) -> QuerySet[SubjectMention]:
    """The mentions of the period, filtered."""
    period = scope.period
    mentions = SubjectMention.objects.filter(
        brand_id__in=sorted(scope.brand_ids), posted_at__gte=period.start, posted_at__lt=period.end
    )
    return _filtered(mentions, scope)


def _of_keys(pairs: Iterable[tuple[int, str]]) -> Q:
    """``(brand, key) IN pairs`` as one ``key IN`` per brand, for the (brand, key, …) index."""
    by_brand: dict[int, set[str]] = defaultdict(set)
    for brand_id, key in pairs:
        by_brand[brand_id].add(key)
    condition = Q(pk__in=[])
    for brand_id, keys in sorted(by_brand.items()):
        condition |= Q(brand_id=brand_id, key__in=sorted(keys))
    return condition


def _subjects(scope: Scope, *, wanted: int) -> list[_Subject]:
    """The period's subjects with the most comments, with their sums, most first: at least the
    first ``wanted`` (all, when there are fewer).

    The database ranks the keys and answers only the first ones, so a period's long tail of
    one-off stem topics never reaches Python: of the first ``wanted`` keys plus as many as
    supervisors mapped, at least ``wanted`` are lone keys, so every lone key that can rank among
    the first ``wanted`` subjects is there; a mapped key's subject is summed from all its keys.
    """
    named: dict[tuple[int, str], tuple[int, str]] = {
        (brand_id, key): (subject_id, name)
        for brand_id, key, subject_id, name in SubjectKey.objects.filter(
            brand_id__in=sorted(scope.brand_ids)
        ).values_list("brand_id", "key", "subject_id", "subject__name")
    }
    sums = (
        _rollups(scope, scope.period)
        .values("brand_id", "key")
        .annotate(
            total_comments=Sum("comments"),
            total_cases_opened=Sum("cases_opened"),
            total_cases_resolved=Sum("cases_resolved"),
            total_cases_satisfied=Sum("cases_satisfied"),
            total_cases_unsatisfied=Sum("cases_unsatisfied"),
        )
        .values_list(
            "brand_id",
            "key",
            "total_comments",
            "total_cases_opened",
            "total_cases_resolved",
            "total_cases_satisfied",
            "total_cases_unsatisfied",
        )
    )
    # Ties are cut by the database's order of keys, then shown in ``_Subject.order``.
    rows = list(sums.order_by("-total_comments", "brand_id", "key")[: wanted + len(named)])
    if named:
        rows += list(sums.filter(_of_keys(named)).order_by())
    subjects: dict[tuple[int, object], _Subject] = {}
    seen: set[tuple[int, str]] = set()
    for brand_id, key, *counts in rows:
        if (brand_id, key) in seen:
            continue
        seen.add((brand_id, key))
        subject_id, name = named.get((brand_id, key), (None, ""))
        identity = (brand_id, subject_id if subject_id is not None else key)
        subject = subjects.get(identity)
        if subject is None:
            subject = subjects[identity] = _Subject(brand_id, [], subject_id, name)
        subject.keys.append(key)
        for count, value in zip(_COUNTS, counts, strict=True):
            subject.sums[count] += value
    for subject in subjects.values():
        subject.keys.sort(key=key_order)
    return sorted(subjects.values(), key=lambda s: s.order)


def _previous_counts(scope: Scope, subjects: Sequence[_Subject]) -> None:
    """Each subject's comments in the previous period: its keys' ranges of the subject index."""
    if not subjects:
        return
    pairs = [(s.brand_id, key) for s in subjects for key in s.keys]
    counts = {
        (row["brand_id"], row["key"]): row["comments"]
        for row in _rollups(scope, previous_period(scope.period))
        .filter(_of_keys(pairs))
        .values("brand_id", "key")
        .annotate(comments=Sum("comments"))
        .order_by()
    }
    for subject in subjects:
        subject.previous = sum(counts.get((subject.brand_id, key), 0) for key in subject.keys)


def _count_authors(scope: Scope, subjects: Sequence[_Subject]) -> None:
    """Distinct authors in the period: of a one-key subject all in one grouped query, of a
    merged one across its keys."""
    mentions = _mentions(scope)
    single = [s for s in subjects if len(s.keys) == 1]
    if single:
        counts = {
            (row["brand_id"], row["key"]): row["authors"]
            for row in mentions.filter(_of_keys((s.brand_id, s.keys[0]) for s in single))
            .values("brand_id", "key")
            .annotate(authors=Count("author", distinct=True))
            .order_by()
        }
        for subject in single:
            subject.authors = counts.get((subject.brand_id, subject.keys[0]), 0)
    for subject in subjects:
        if len(subject.keys) > 1:
            subject.authors = mentions.filter(
                brand_id=subject.brand_id, key__in=subject.keys
            ).aggregate(authors=Count("author", distinct=True))["authors"]


def _examples(scope: Scope, subjects: Sequence[_Subject]) -> dict[int, list[dict]]:
    """The latest ``EXAMPLES`` comments about each subject in the period, by its position."""
    if not subjects:
        return {}
    mentions = _mentions(scope)
    # Each subject's latest mentions: a short backward range of the subject index apiece, all
    # in one statement where the database can order and cut each part of a UNION. A comment
    # about two merged keys has a mention of each: room for both, then it is taken once.
    latest = [
        mentions.filter(brand_id=subject.brand_id, key__in=subject.keys)
        .annotate(subject=Value(n, output_field=IntegerField()))
        .order_by("-posted_at", "-comment_id")
        .values_list("subject", "comment_id")[: EXAMPLES * len(subject.keys)]
        for n, subject in enumerate(subjects)
    ]
    if connection.features.supports_slicing_ordering_in_compound:
        rows = list(latest[0].union(*latest[1:], all=True))
    else:
        rows = [row for part in latest for row in part]
    chosen: dict[int, list[int]] = defaultdict(list)
    for n, pk in rows:  # each part in its order: newest first
        if pk not in chosen[n] and len(chosen[n]) < EXAMPLES:
            chosen[n].append(pk)
    wanted = sorted({pk for ids in chosen.values() for pk in ids})
    comments = {
        row["pk"]: row
        for row in Comment.objects.filter(pk__in=wanted).values(
            "pk", "posted_at", "platform", "author__handle", "text", "level", "url"
        )
    }
    return {
        n: [
            {
                "comment_id": pk,
                "posted_at": comments[pk]["posted_at"],
                "platform": comments[pk]["platform"],
                "author": comments[pk]["author__handle"],
                "text": comments[pk]["text"],
                "level": comments[pk]["level"],
                "source_url": comments[pk]["url"],
            }
            for pk in ids
            if pk in comments
        ]
        for n, ids in chosen.items()
    }


def _ripples(scope: Scope, subjects: Sequence[_Subject]) -> dict[int, list[int]]:
    """The ripples of the period about each subject, by its position."""
    period = scope.period
    ripples = list(
        Ripple.objects.filter(
            brand_id__in=sorted({s.brand_id for s in subjects}),
            last_at__gte=period.start,
            first_at__lt=period.end,
        )
        .order_by("-last_at", "-pk")
        .values_list("pk", "brand_id", "subject")[:RIPPLES_READ]
    )
    found: dict[int, list[int]] = {}
    for n, subject in enumerate(subjects):
        found[n] = sorted(
            pk
            for pk, brand_id, terms in ripples
            if brand_id == subject.brand_id
            and any(subject_in_ripple(key, tuple(terms or ())) for key in subject.keys)
        )
    return found


def _elapsed(period: Period, now: datetime) -> timedelta:
    return max(timedelta(0), min(period.end, now) - period.start)


def _trend(subject: _Subject, *, pace: float | None) -> dict:
    """``projected``: the count at the period's pace (None before it starts); ``trend``: up,
    down, flat, or new (none in the previous period); ``change``: the projected count against
    the previous one, less one (None when there was none)."""
    projected = None if pace is None else subject.comments * pace
    if projected is None:
        trend, change = "flat", None
    elif subject.previous == 0:
        trend, change = ("new" if subject.comments else "flat"), None
    else:
        change = round(projected / subject.previous - 1, 4)
        trend = "up" if change > 0 else "down" if change < 0 else "flat"
    return {
        "projected": None if projected is None else round(projected, 1),
        "trend": trend,
        "change": change,
    }


def _fast(subject: _Subject, pace: float | None) -> bool:
    """The rising rule's pace: its projected count at least ``RISING_FACTOR`` times the
    previous period's."""
    return pace is not None and subject.comments * pace >= RISING_FACTOR * subject.previous


def _rises(subject: _Subject, pace: float | None) -> bool:
    """The whole rising rule (authors must have been counted)."""
    return (
        subject.comments >= RISING_MIN_COMMENTS
        and subject.authors >= RISING_MIN_AUTHORS
        and _fast(subject, pace)
    )


def top_complaints(scope: Scope, *, now: datetime, limit: int = DEFAULT_LIMIT) -> dict:
    """The period's top ``limit`` subjects by comments, then those rising below them."""
    period = scope.period
    before = previous_period(period)
    elapsed = _elapsed(period, now)
    pace = (period.end - period.start) / elapsed if elapsed else None
    everything = _subjects(scope, wanted=limit + RISING_SCAN)
    top = everything[:limit]
    candidates = [s for s in everything[limit:] if s.comments >= RISING_MIN_COMMENTS]
    candidates = candidates[:RISING_SCAN]
    _previous_counts(scope, top + candidates)
    # The rule's cheap half first: only those at its pace cost an authors count.
    candidates = [s for s in candidates if _fast(s, pace)]
    _count_authors(scope, top + candidates)
    rising_below = [s for s in candidates if _rises(s, pace)][:RISING_EXTRA]
    shown = top + rising_below
    examples = _examples(scope, shown)
    ripples = _ripples(scope, shown) if shown else {}
    slugs = dict(Brand.objects.filter(pk__in=sorted(scope.brand_ids)).values_list("pk", "slug"))
    listed = []
    for n, subject in enumerate(shown):
        trend = _trend(subject, pace=pace)
        sums = subject.sums
        answered = sums["cases_satisfied"] + sums["cases_unsatisfied"]
        listed.append(
            {
                "brand": slugs.get(subject.brand_id, ""),
                "brand_id": subject.brand_id,
                "subject_id": subject.subject_id,
                "keys": list(subject.keys),
                "name": subject.name or None,
                "label": subject.name or " + ".join(key_label(key) for key in subject.keys),
                "key_labels": [key_label(key) for key in subject.keys],
                "comments": subject.comments,
                "authors": subject.authors,
                "previous_comments": subject.previous,
                **trend,
                "rising": _rises(subject, pace),
                "in_top": n < len(top),
                "ripples": ripples.get(n, []),
                "cases": {
                    "opened": sums["cases_opened"],
                    "resolved": sums["cases_resolved"],
                    "resolved_share": share(sums["cases_resolved"], sums["cases_opened"]),
                    "satisfied": sums["cases_satisfied"],
                    "unsatisfied": sums["cases_unsatisfied"],
                    "satisfied_share": share(sums["cases_satisfied"], answered),
                },
                "examples": examples.get(n, []),
            }
        )
    return {
        "period": {
            "since": period.first_day.isoformat(),
            "until": period.last_day.isoformat(),
            "time_zone": period.zone.key,
            "previous_since": before.first_day.isoformat(),
            "previous_until": before.last_day.isoformat(),
            "running": elapsed < period.end - period.start,
        },
        "rising_rule": {
            "factor": RISING_FACTOR,
            "min_comments": RISING_MIN_COMMENTS,
            "min_authors": RISING_MIN_AUTHORS,
        },
        "subjects": listed,
    }


# --- naming and merging -----------------------------------------------------------------------


def naming_brand_ids(actor) -> frozenset[int]:
    """The brands whose complaint subjects ``actor`` may name and merge."""
    return brand_ids_for(actor, NAME)


def _lock_brand(*, actor, brand_id: int) -> Brand:
    """The brand's row, locked (two supervisors merging at once are serialised), once the
    actor, read afresh, may name its subjects."""
    brand = Brand.objects.select_for_update().filter(pk=brand_id).first()
    actor_pk = getattr(actor, "pk", None)
    fresh = None if actor_pk is None else get_user_model().objects.filter(pk=actor_pk).first()
    if brand is None or fresh is None or brand.pk not in naming_brand_ids(fresh):
        raise DomainError(_("You do not name the complaint subjects of this brand."))
    return brand


def _known_key(brand: Brand, key: str) -> str:
    key = (key or "").strip()
    if not key or not SubjectMention.objects.filter(brand=brand, key=key).exists():
        raise DomainError(_("No complaint of this brand is about that subject."), field="key")
    return key


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if len(name) > NAME_CHARS:
        raise DomainError(
            _("A name has at most %(chars)s characters.") % {"chars": NAME_CHARS}, field="name"
        )
    return name


def _snapshot(brand: Brand, subject: ComplaintSubject | None, keys: Sequence[str]) -> dict:
    return {
        "brand": brand.slug,
        "subject": subject.pk if subject is not None else None,
        "name": subject.name if subject is not None else "",
        "keys": sorted(keys, key=key_order),
    }


def _keys_of(subject: ComplaintSubject) -> list[str]:
    return sorted(subject.keys.values_list("key", flat=True), key=key_order)


def _subject_of(brand: Brand, key: str) -> ComplaintSubject | None:
    mapped = SubjectKey.objects.filter(brand=brand, key=key).select_related("subject").first()
    return mapped.subject if mapped is not None else None


def _audit(actor, action: str, *, before, after) -> None:
    AuditEvent.objects.create(actor=actor, action=action, before=before, after=after)


@transaction.atomic
def subject_name(*, actor, brand_id: int, key: str, name: str) -> ComplaintSubject | None:
    """The subject ``key`` counts for takes ``name`` at the brand, for this period and every
    later one. An empty name removes it: a lone key then counts as its own subject again
    (answers None)."""
    brand = _lock_brand(actor=actor, brand_id=brand_id)
    key = _known_key(brand, key)
    name = _clean_name(name)
    subject = _subject_of(brand, key)
    keys = _keys_of(subject) if subject is not None else [key]
    before = _snapshot(brand, subject, keys)
    now = timezone.now()
    if subject is None:
        if not name:
            return None
        subject = ComplaintSubject.objects.create(
            brand=brand, name=name, created_by=actor, created_at=now, updated_at=now
        )
        SubjectKey.objects.create(brand=brand, key=key, subject=subject)
    elif not name and len(keys) == 1:
        subject.delete()
        subject = None
    else:
        subject.name = name
        subject.updated_at = now
        subject.save(update_fields=["name", "updated_at"])
    _audit(
        actor,
        AuditAction.COMPLAINT_SUBJECT_NAMED,
        before=before,
        after=_snapshot(brand, subject, keys),
    )
    return subject


@transaction.atomic
def subjects_merge(
    *, actor, brand_id: int, keys: Sequence[str], name: str = ""
) -> ComplaintSubject:
    """The subjects of these keys become one (with every key of each): the oldest of them, or
    a new one, keeps its name unless ``name`` is given; then the first name among the others."""
    brand = _lock_brand(actor=actor, brand_id=brand_id)
    wanted = sorted({_known_key(brand, key) for key in keys})
    name = _clean_name(name)
    mapped = {
        row.key: row.subject
        for row in SubjectKey.objects.filter(brand=brand, key__in=wanted).select_related("subject")
    }
    existing = sorted({s.pk: s for s in mapped.values()}.values(), key=lambda s: s.pk)
    lone = [key for key in wanted if key not in mapped]
    if len(existing) + len(lone) < 2:
        raise DomainError(_("Choose at least two subjects to merge."), field="keys")
    before = [_snapshot(brand, s, _keys_of(s)) for s in existing] + [
        _snapshot(brand, None, [key]) for key in lone
    ]
    now = timezone.now()
    if existing:
        target, others = existing[0], existing[1:]
    else:
        target = ComplaintSubject.objects.create(
            brand=brand, created_by=actor, created_at=now, updated_at=now
        )
        others = []
    SubjectKey.objects.filter(subject__in=others).update(subject=target)
    SubjectKey.objects.bulk_create(
        [SubjectKey(brand=brand, key=key, subject=target) for key in lone]
    )
    target.name = name or next((s.name for s in existing if s.name), "")
    target.updated_at = now
    target.save(update_fields=["name", "updated_at"])
    ComplaintSubject.objects.filter(pk__in=[s.pk for s in others]).delete()
    _audit(
        actor,
        AuditAction.COMPLAINT_SUBJECTS_MERGED,
        before={"brand": brand.slug, "subjects": before},
        after=_snapshot(brand, target, _keys_of(target)),
    )
    return target


@transaction.atomic
def subject_split(*, actor, brand_id: int, key: str) -> ComplaintSubject | None:
    """``key`` leaves the subject it was merged into and counts as its own again; the subject
    keeps its other keys and its name. Answers it, or None when what is left is one key with
    no name: a subject of its own, as if never merged."""
    brand = _lock_brand(actor=actor, brand_id=brand_id)
    key = (key or "").strip()
    subject = _subject_of(brand, key)
    if subject is None or len(keys := _keys_of(subject)) < 2:
        raise DomainError(_("That subject is not merged with another."), field="key")
    before = _snapshot(brand, subject, keys)
    SubjectKey.objects.filter(brand=brand, key=key).delete()
    rest = [k for k in keys if k != key]
    after = {**_snapshot(brand, subject, rest), "split": key}
    if len(rest) == 1 and not subject.name:
        subject.delete()
        after["subject"], subject = None, None
    else:
        subject.updated_at = timezone.now()
        subject.save(update_fields=["updated_at"])
    _audit(actor, AuditAction.COMPLAINT_SUBJECT_SPLIT, before=before, after=after)
    return subject
