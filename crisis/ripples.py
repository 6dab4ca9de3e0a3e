"""Ripples at intake: many authors posting the same complaint at one brand within the window.

Intake calls ``ripples_detect`` with a brand's batch after classifying it and before writing it,
and ``ripples_apply`` after writing it. Detection loads the brand's negative comments posted
inside the window around the batch (one query on the partial index ``comment_ripple_window``,
narrowed on PostgreSQL to rows sharing a signature term with the batch), runs the pure
``find_ripples`` over them, and creates a ``Ripple`` row for each new cluster. The batch's
members get the ripple in their decision before they are written; members already stored are
attached, turned red, given a history row and escalated by ``ripples_apply``, in a constant
number of statements. Cost grows with the batch and the window, never with the table.

A person's correction outranks the ripple: such a comment joins the cluster (it is part of the
wave the committee must see) but keeps the category and level a person gave it.

Two concurrent batches of the same brand do not see each other's new comments, so a ripple split
across them is found by the next batch; a stored comment claimed by both is attached once (the
update locks and re-checks ``ripple IS NULL``).
"""

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from comments.classifier.ripple import (
    Ripple as FoundRipple,
)
from comments.classifier.ripple import (
    RippleComment,
    find_ripples,
    ripple_signature,
    topic_of,
)
from comments.classifier.rules import with_ripple
from comments.classifier.values import Decision
from comments.models import NEGATIVE_CATEGORIES, Classification, Comment, Level
from crisis import escalation
from crisis.models import Ripple
from triage.bulk import insert_rows

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
class _StoredMember:
    comment_id: int
    ripple_id: int
    evidence: str


@dataclass(slots=True)
class Detection:
    """What the batch's rows need (signature, ripple, decision) and what is left to apply."""

    terms: dict[Hashable, list[str]] = field(default_factory=dict)
    ripple_of: dict[Hashable, int] = field(default_factory=dict)
    evidence_of: dict[Hashable, str] = field(default_factory=dict)
    stored_members: list[_StoredMember] = field(default_factory=list)
    ripple_ids: set[int] = field(default_factory=set)

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
    new = []
    for comment in batch:
        if comment.category not in NEGATIVE_CATEGORIES:
            continue
        signature = ripple_signature(comment.text)
        detection.terms[comment.key] = list(signature)
        if signature:
            new.append(RippleComment(key=comment.key, author=str(comment.author_id),
                                     at=comment.posted_at, signature=signature))
    if not new:
        return detection
    thresholds = brand.ripple()
    window = timedelta(minutes=thresholds["window_minutes"])
    recent, stored = _window(brand, new, window)
    found = find_ripples(new, recent, min_authors=thresholds["min_authors"], window=window)
    if not found:
        return detection

    handles = {str(comment.author_id): comment.author for comment in batch}
    handles.update((str(row.author_id), row.handle) for row in stored.values())
    created = iter(_create_ripples(brand, [r for r in found if r.known_cluster is None], now=now))
    for ripple in found:
        ripple_id = int(ripple.known_cluster) if ripple.known_cluster else next(created)
        detection.ripple_ids.add(ripple_id)
        named = replace(ripple, authors=tuple(handles[a] for a in ripple.authors))
        evidence = named.reason(ripple_id)
        new_members = set(ripple.new_members)
        for key in ripple.members:
            if key in new_members:
                detection.ripple_of[key] = ripple_id
                detection.evidence_of[key] = evidence
            elif stored[key].ripple_id is None:
                detection.stored_members.append(_StoredMember(key, ripple_id, evidence))
    return detection


def ripples_apply(detection: Detection, *, now: datetime) -> None:
    """Attach the stored members, turn them red and escalate them; recount the ripples.

    Call in the same transaction, after the batch's own members were written with their
    ``ripple_id``, so the recount includes them.
    """
    if detection.stored_members:
        _attach_stored(detection.stored_members, now=now)
    if detection.ripple_ids:
        _recount(detection.ripple_ids, now=now)


# --- detection ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _WindowRow:
    author_id: int
    handle: str
    ripple_id: int | None


def _window(brand, new: Sequence[RippleComment], window: timedelta):
    """The brand's stored negative comments that could share a ripple with the batch.

    Only those posted within ``window`` of some comment of the batch can share a
    ``window``-long span with it; on PostgreSQL only those whose signature shares a term with
    the batch's topics can be compared at all (jsonb ``?|``), so they are filtered in SQL.
    """
    terms = sorted({term for comment in new for term in topic_of(comment.signature)})
    query = Comment.objects.filter(
        _spans(sorted(comment.at for comment in new), window),
        brand=brand, category__in=NEGATIVE_CATEGORIES,
    )
    if connection.vendor == "postgresql":
        query = query.filter(ripple_terms__has_any_keys=terms)
    recent, stored = [], {}
    for pk, author_id, handle, posted_at, signature, ripple_id in query.values_list(
        "pk", "author_id", "author__handle", "posted_at", "ripple_terms", "ripple_id"
    ):
        if not signature:
            continue
        recent.append(RippleComment(
            key=pk, author=str(author_id), at=posted_at, signature=tuple(signature),
            cluster=None if ripple_id is None else str(ripple_id),
        ))
        stored[pk] = _WindowRow(author_id, handle, ripple_id)
    return recent, stored


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
    return [pk for (pk,) in insert_rows(Ripple, [
        {"brand_id": brand.pk, "subject": list(ripple.subject), "first_at": ripple.first_at,
         "last_at": ripple.last_at, "size": ripple.size, "authors": len(ripple.authors),
         "created_at": now, "updated_at": now}
        for ripple in found
    ])]


# --- applying -------------------------------------------------------------------------------


def _attach_stored(members: Sequence[_StoredMember], *, now: datetime) -> None:
    """Stored members join their ripple and turn red, except where a person decided.

    The rows are locked in id order and re-read: a concurrent batch may have attached one to
    another ripple (it keeps it) or a person may have corrected one since the window was read.
    """
    wanted = {member.comment_id: member for member in members}
    locked = (
        Comment.objects.select_for_update()
        .filter(pk__in=sorted(wanted), ripple=None)
        .order_by("pk")
        .only("pk", "category", "level", "level_rank", "confidence", "reasons", "model_version",
              "classified_by_human")
    )
    updated, history, escalate = [], [], []
    for comment in locked:
        member = wanted[comment.pk]
        comment.ripple_id = member.ripple_id
        if not comment.classified_by_human:
            if comment.level != Level.RED:
                escalate.append(comment.pk)
            comment.level, comment.level_rank = Level.RED, Level.RED.rank
            comment.reasons = [
                *(reason for reason in comment.reasons if reason.get("signal") != RIPPLE_SIGNAL),
                {"signal": RIPPLE_SIGNAL, "evidence": member.evidence[:500]},
            ]
            history.append({
                "comment_id": comment.pk, "category": comment.category, "level": comment.level,
                "confidence": comment.confidence, "reasons": comment.reasons,
                "model_version": comment.model_version, "is_human": False,
                "decided_by_id": None, "note": "", "created_at": now,
            })
        updated.append(comment)
    if not updated:
        return
    Comment.objects.bulk_update(updated, ["ripple", "level", "level_rank", "reasons"])
    insert_rows(Classification, history)
    escalation.escalations_create(comment_ids=escalate, now=now)


def _recount(ripple_ids: Iterable[int], *, now: datetime) -> None:
    """Size, authors and span of each ripple from its attached comments, in one statement.

    Counted rather than incremented because concurrent batches may attach to the same ripple,
    and an author who comes back must not count twice; the member index makes it cost the
    ripple's size.
    """
    members = Comment.objects.filter(ripple=OuterRef("pk")).order_by().values("ripple")

    def aggregate(expression):
        return Subquery(members.annotate(value=expression).values("value"))

    Ripple.objects.filter(pk__in=sorted(ripple_ids)).update(
        size=Coalesce(aggregate(Count("pk")), 0),
        authors=Coalesce(aggregate(Count("author", distinct=True)), 0),
        first_at=Coalesce(aggregate(Min("posted_at")), "first_at"),
        last_at=Coalesce(aggregate(Max("posted_at")), "last_at"),
        updated_at=now,
    )
