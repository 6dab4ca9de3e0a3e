"""Ripples at intake: many authors posting the same complaint at one brand within the window.

Intake calls ``ripples_detect`` with a brand's batch after classifying it and before writing it,
and ``ripple_members.ripples_apply`` after writing it. Detection runs in two steps:

1. A ripple still active (a member posted within the window of the comment) absorbs the batch's
   comments about its subject (``belongs`` to its stored subject): a wave that goes on all
   afternoon stays one cluster, and its hundreds of members are never read again.
2. The rest of the batch is compared by the pure ``find_ripples`` with the brand's negative
   comments in no ripple yet, posted inside the window around the batch: one query on the
   partial index ``comment_ripple_window``, narrowed on PostgreSQL to rows sharing a signature
   term with the batch when the batch has few terms. Each cluster found becomes a ``Ripple`` row.

The batch's members get the ripple in their decision before they are written; members already
stored are attached, turned red, given a history row and escalated by ``ripples_apply``, in a
constant number of statements. Cost grows with the batch and the window, never with the table
nor with the size of a ripple.

A person's correction outranks the ripple: such a comment joins the cluster (it is part of the
wave the committee must see) but keeps the category and level a person gave it.

Concurrent batches of one brand (several web processes, each receiving part of a wave) detect one
at a time: on PostgreSQL a batch with comments to compare takes the brand's transaction-level
advisory lock first (``_detect_alone``), so under READ COMMITTED every statement after it sees
what the batches before it committed, comments and ripples alike, and the halves of a ripple
form one ripple. Only detection and the writes after it wait; validation and classification,
most of a batch's time, run side by side. SQLite serialises writers anyway. A stored comment is
still attached under a row lock that re-checks ``ripple IS NULL``.
"""

import json
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from math import ceil
from typing import cast

from django.db import connection
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from classifier.memo import TEXTS, BoundedCache
from classifier.ripple import Ripple as FoundRipple
from classifier.ripple import RippleComment, belongs, find_ripples
from classifier.rules import with_ripple
from classifier.signature import CONCEPT_MARK, ripple_signature, topic_of
from classifier.values import Decision
from comments.models import Author, Comment, Ripple
from core.bulk import fetch_values, insert_rows
from core.taxonomy import NEGATIVE_CATEGORIES

RIPPLE_SIGNAL = "ripple"


@dataclass(frozen=True, slots=True)
class BatchComment:
    """A comment of the batch being ingested, classified but not yet written."""

    key: Hashable
    author_id: int
    author: str  # the handle, named in the reason
    posted_at: datetime
    text: str
    category: str


@dataclass(frozen=True, slots=True)
class StoredMember:
    comment_id: int
    ripple_id: int
    evidence: str


@dataclass(frozen=True, slots=True)
class Growth:
    """What the batch adds to an active ripple: comments, new authors, posting times."""

    size: int
    authors: int
    first_at: datetime
    last_at: datetime


@dataclass(slots=True)
class Detection:
    """What the batch's rows need (signature, ripple, decision) and what is left to apply."""

    terms: dict[Hashable, list[str]] = field(default_factory=dict)
    ripple_of: dict[Hashable, int] = field(default_factory=dict)
    evidence_of: dict[Hashable, str] = field(default_factory=dict)
    stored_members: list[StoredMember] = field(default_factory=list)
    created: set[int] = field(default_factory=set)
    grown: dict[int, Growth] = field(default_factory=dict)

    def decision(self, key: Hashable, decision: Decision) -> Decision:
        """The comment's decision, red with the ripple's reason when it is a member."""
        evidence = self.evidence_of.get(key)
        return decision if evidence is None else with_ripple(decision, evidence)


def ripples_detect(*, brand, batch: Sequence[BatchComment], now: datetime) -> Detection:
    """Sign the batch's negative comments and find the ripples they start or join.

    Call inside the ingest transaction, before the batch's rows are written; creates the new
    ``Ripple`` rows so that their numbers can be named in the members' reasons.
    """
    detection = Detection()
    thresholds = brand.ripple()
    window = timedelta(minutes=thresholds["window_minutes"])
    # A ripple is what is spreading now: a comment posted longer than a window ago (a history
    # import, a late delivery) is signed and stored but starts nothing, which also keeps the
    # window query to the last two windows instead of the whole history.
    live_since = now - window
    new = []
    for comment in batch:
        if comment.category not in NEGATIVE_CATEGORIES:
            continue
        signature = _signature(comment.text)
        detection.terms[comment.key] = list(signature)
        if signature and comment.posted_at >= live_since:
            new.append(
                RippleComment(
                    key=comment.key,
                    author=str(comment.author_id),
                    at=comment.posted_at,
                    signature=signature,
                )
            )
    if not new:
        return detection
    _detect_alone(brand)
    handles = {str(comment.author_id): comment.author for comment in batch}
    rest = _join_active(detection, brand, new, window)
    if not rest:
        return detection
    recent = _window(brand, rest, window)
    found = find_ripples(rest, recent, min_authors=thresholds["min_authors"], window=window)
    if not found:
        return detection

    handles |= _handles(author for r in found for author in r.authors[:3] if author not in handles)
    for ripple, ripple_id in zip(found, _create_ripples(brand, found, now=now), strict=True):
        detection.created.add(ripple_id)
        named = replace(ripple, authors=tuple(handles.get(a, "?") for a in ripple.authors))
        evidence = named.reason(ripple_id)
        new_members = set(ripple.new_members)
        for key in ripple.members:
            if key in new_members:
                detection.ripple_of[key] = ripple_id
                detection.evidence_of[key] = evidence
            else:  # a member from the window: a stored comment, keyed by its id
                detection.stored_members.append(StoredMember(cast(int, key), ripple_id, evidence))
    return detection


# --- detection ------------------------------------------------------------------------------

#: The first key of the brands' ripple locks (``pg_advisory_xact_lock(int, int)``), the second
#: being the brand: "ri" in ASCII, apart from any other advisory lock of the desk.
RIPPLE_LOCK = 0x7269


def _detect_alone(brand) -> None:
    """Wait for the brand's other batches that are detecting or writing, then hold the brand's
    ripple lock until this transaction ends.

    Without it two requests each read the window without the other's uncommitted comments, and
    a wave split across them could stay under the threshold in both, or form two ripples. The
    lock is held through the batch's writes and released by its commit (or rollback), so the
    next batch's window, read after it, holds them.
    """
    if connection.vendor != "postgresql":
        return  # SQLite: one writer at a time already
    if not connection.in_atomic_block:
        raise RuntimeError("ripple detection must run inside the batch's transaction")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RIPPLE_LOCK, brand.pk % 2**31])


@dataclass(frozen=True, slots=True)
class _Active:
    pk: int
    subject: frozenset[str]
    first_at: datetime
    last_at: datetime
    size: int
    authors: int


def _join_active(
    detection: Detection, brand, new: Sequence[RippleComment], window: timedelta
) -> list[RippleComment]:
    """Comments about the subject of a ripple still active join it; the others are returned.

    Active: posted within ``window`` of the ripple's span. Where several ripples fit, the one
    with the most authors takes the comment, so results do not depend on the order of rows.
    """
    times = sorted(comment.at for comment in new)
    query = Ripple.objects.filter(
        brand=brand, last_at__gte=times[0] - window, first_at__lte=times[-1] + window
    )
    terms = _terms(new)
    if _prefilter(terms):
        query = query.filter(subject__has_any_keys=terms)
    active = [
        _Active(pk, topic_of(_parsed(subject)), first_at, last_at, size, authors)
        for pk, subject, first_at, last_at, size, authors in fetch_values(
            query.annotate(subject_text=Cast("subject", TextField())).values_list(
                "pk", "subject_text", "first_at", "last_at", "size", "authors"
            )
        )
    ]
    if not active:
        return list(new)
    ranked = sorted(active, key=lambda r: (-r.authors, -r.size, r.pk))
    by_term: dict[str, list[int]] = {}
    for rank, ripple in enumerate(ranked):
        for term in ripple.subject:
            by_term.setdefault(term, []).append(rank)
    about: dict[frozenset[str], list[_Active]] = {}  # topic -> its ripples, best first
    joined: dict[int, list[RippleComment]] = {}
    rest = []
    for comment in new:
        topic = topic_of(comment.signature)
        subjects = about.get(topic)
        if subjects is None:
            ranks = sorted({rank for term in topic for rank in by_term.get(term, ())})
            subjects = about[topic] = [
                ranked[rank] for rank in ranks if belongs(topic, ranked[rank].subject)
            ]
        best = next(
            (r for r in subjects if r.first_at - window <= comment.at <= r.last_at + window), None
        )
        if best is None:
            rest.append(comment)
        else:
            joined.setdefault(best.pk, []).append(comment)
    if joined:
        _record_growth(detection, {r.pk: r for r in active}, joined)
    return rest


def _record_growth(
    detection: Detection, active: dict[int, _Active], joined: dict[int, list[RippleComment]]
) -> None:
    """The joiners' figures and reason: the ripple's as stored, plus what the batch brings.

    Authors are counted once: one indexed query finds which of the batch's authors each ripple
    already has.
    """
    known = _known_authors(sorted({(pk, int(c.author)) for pk, cs in joined.items() for c in cs}))
    for pk, comments in joined.items():
        ripple = active[pk]
        authors = {int(c.author) for c in comments} - {a for r, a in known if r == pk}
        growth = Growth(
            size=len(comments),
            authors=len(authors),
            first_at=min(c.at for c in comments),
            last_at=max(c.at for c in comments),
        )
        detection.grown[pk] = growth
        evidence = _evidence(pk, ripple, growth)
        for comment in comments:
            detection.ripple_of[comment.key] = pk
            detection.evidence_of[comment.key] = evidence


def _known_authors(pairs: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which of these (ripple, author) pairs already have a comment in the ripple.

    On PostgreSQL the pairs themselves are probed on ``comment_ripple_members`` (one index look-up
    each); elsewhere ripples x authors, which the embedded mode's sizes allow.
    """
    if connection.vendor != "postgresql":
        return set(
            Comment.objects.filter(
                ripple_id__in={r for r, _ in pairs},
                author_id__in={a for _, a in pairs},
            )
            .values_list("ripple_id", "author_id")
            .distinct()
        )
    table = Comment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT c.ripple_id, c.author_id FROM {table} c "  # noqa: S608 (model name)
            "JOIN unnest(%s::bigint[], %s::bigint[]) AS p(ripple_id, author_id) "
            "ON c.ripple_id = p.ripple_id AND c.author_id = p.author_id",
            [[r for r, _ in pairs], [a for _, a in pairs]],
        )
        return {tuple(row) for row in cursor.fetchall()}


def _evidence(pk: int, ripple: _Active, growth: Growth) -> str:
    """The reason of a comment joining an active ripple, in ``Ripple.reason``'s words."""
    span = max(ripple.last_at, growth.last_at) - min(ripple.first_at, growth.first_at)
    minutes = max(1, ceil(span.total_seconds() / 60))
    subject = ", ".join(
        term.lstrip(CONCEPT_MARK).replace("_", " ") for term in sorted(ripple.subject)
    )
    return (
        f"cluster #{pk}, {ripple.authors + growth.authors} authors in {minutes} min, "
        f"{ripple.size + growth.size} comments about {subject}"
    )


def _window(brand, new: Sequence[RippleComment], window: timedelta):
    """The brand's stored negative comments in no ripple that could start one with the batch.

    Only those posted within ``window`` of some comment of the batch can share a
    ``window``-long span with it; only those whose signature shares a term with the batch's
    topics can match, which PostgreSQL checks for a batch with few terms (``_prefilter``). The
    signature comes back as text and is parsed once per distinct value: most repeat.
    """
    terms = _terms(new)
    query = Comment.objects.filter(
        _spans(sorted(comment.at for comment in new), window),
        brand=brand,
        category__in=NEGATIVE_CATEGORIES,
        ripple=None,
    )
    if _prefilter(terms):
        query = query.filter(ripple_terms__has_any_keys=terms)
    recent = []
    shares_a_term = _SharesATerm(terms)
    for pk, author_id, posted_at, text in fetch_values(
        query.annotate(terms_text=Cast("ripple_terms", TextField())).values_list(
            "pk", "author_id", "posted_at", "terms_text"
        )
    ):
        signature = shares_a_term(text)
        if signature:
            recent.append(
                RippleComment(key=pk, author=str(author_id), at=posted_at, signature=signature)
            )
    return recent


class _SharesATerm(dict):
    """The stored signature (as JSON text), parsed, when its topic shares a term with the
    batch's; else ``()``. A stored comment sharing none cannot match (``find_ripples`` would
    skip it), and the window holds thousands of rows repeating a few hundred signatures: each
    distinct text is judged once per batch, and the others cost a look-up."""

    def __init__(self, terms: Iterable[str]):
        super().__init__()
        self.terms = frozenset(terms)

    def __missing__(self, text: str | None) -> tuple[str, ...]:
        signature = _parsed(text)
        if signature and self.terms.isdisjoint(topic_of(signature)):
            signature = ()
        self[text] = signature
        return signature

    __call__ = dict.__getitem__


def _terms(new: Iterable[RippleComment]) -> list[str]:
    """The terms the batch's topics are made of: a stored row sharing none cannot match."""
    return sorted({term for comment in new for term in topic_of(comment.signature)})


# jsonb ``?|`` costs each row a probe per term: a push of a few comments prunes the window for
# almost nothing, but a batch of 500 brings a thousand terms, and its filter took 8 ms where
# reading the whole window took 3 (the rows are compared in Python anyway).
PREFILTER_MAX_TERMS = 64


def _prefilter(terms: Sequence[str]) -> bool:
    """Whether to let PostgreSQL drop the rows sharing no term with ``terms``."""
    return connection.vendor == "postgresql" and len(terms) <= PREFILTER_MAX_TERMS


_PARSED = BoundedCache(TEXTS, initial={"null": (), "[]": ()})
_SIGNATURES = BoundedCache(TEXTS)


def _parsed(text: str | None) -> tuple[str, ...]:
    """A stored JSON list of terms as a tuple, memoised: the window's signatures repeat."""
    if text is None:  # SQL NULL: nothing stored
        return ()
    terms = _PARSED.get(text)
    return _PARSED.keep(text, tuple(json.loads(text))) if terms is None else terms


def _signature(text: str) -> tuple[str, ...]:
    """``ripple_signature``, memoised by text: a ripple is often the same text copy-pasted."""
    signature = _SIGNATURES.get(text)
    return _SIGNATURES.keep(text, ripple_signature(text)) if signature is None else signature


def _handles(author_ids: Iterable[str]) -> dict[str, str]:
    """The handles a reason names ("by @ana, @luis, @sol and 9 more"), of stored authors."""
    wanted = sorted({int(author) for author in author_ids})
    if not wanted:
        return {}
    return {
        str(pk): handle
        for pk, handle in Author.objects.filter(pk__in=wanted).values_list("pk", "handle")
    }


def _spans(times: Sequence[datetime], window: timedelta) -> Q:
    """``posted_at`` within ``window`` of any of the sorted ``times``, as few ranges as can be:
    a batch posted over one afternoon is one range, a backfill of a week is several."""
    condition = Q(pk__in=[])
    start, end = times[0] - window, times[0] + window
    for at in times[1:]:
        if at - window > end:
            condition |= Q(posted_at__range=(start, end))
            start = at - window
        end = at + window
    return condition | Q(posted_at__range=(start, end))


def _create_ripples(brand, found: Iterable[FoundRipple], *, now: datetime) -> list[int]:
    """One row per new cluster, with its figures as found; ``_recount`` settles them."""
    found = list(found)
    return [
        pk
        for (pk,) in insert_rows(
            Ripple,
            [
                {
                    "brand_id": brand.pk,
                    "subject": list(ripple.subject),
                    "first_at": ripple.first_at,
                    "last_at": ripple.last_at,
                    "size": ripple.size,
                    "authors": len(ripple.authors),
                    "created_at": now,
                    "updated_at": now,
                }
                for ripple in found
            ],
        )
    ]
