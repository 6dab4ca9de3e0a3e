"""What a ripple found at intake changes once the batch is written: the members stored before
it formed are attached and turned red (their cases follow, the committee hears), and each
ripple's figures are settled. A constant number of statements, whatever the ripple's size."""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db.models import Count, Max, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce

from comments import classification, urgency
from comments.models import Comment, Ripple
from comments.ripples import RIPPLE_SIGNAL, Detection, Growth, StoredMember
from core.bulk import fetch_values, update_rows
from core.taxonomy import Level


def ripples_apply(detection: Detection, *, brand, now: datetime) -> None:
    """Attach the stored members, turn them red and escalate them; settle the ripples' figures.

    Call in the same transaction, after the batch's own members were written with their
    ``ripple_id``, so the new ripples' recount includes them.
    """
    if detection.stored_members:
        _attach_stored(brand, detection.stored_members, now=now)
    if detection.created:
        _recount(detection.created, now=now)
    if detection.grown:
        _grow(detection.grown, now=now)


def _attach_stored(brand, members: Sequence[StoredMember], *, now: datetime) -> None:
    """Stored members join their ripple and turn red, except where a person decided; their
    cases follow them.

    The rows are locked in id order and re-read: a concurrent batch may have attached one to
    another ripple (it keeps it) or a person may have corrected one since the window was read.
    """
    wanted = {member.comment_id: member for member in members}
    locked = fetch_values(
        Comment.objects.select_for_update()
        .filter(pk__any_of=sorted(wanted), ripple=None)
        .order_by("pk")
        .values_list("pk", "level", "level_rank", "reasons", "classified_by_human")
    )
    updated, decided, escalate = [], [], []
    for pk, level, level_rank, reasons, by_human in locked:
        member = wanted[pk]
        if not by_human:
            if level != Level.RED:
                escalate.append(pk)
            level, level_rank = Level.RED, Level.RED.rank
            reasons = [
                *(reason for reason in reasons if reason.get("signal") != RIPPLE_SIGNAL),
                {"signal": RIPPLE_SIGNAL, "evidence": member.evidence[:500]},
            ]
            decided.append(pk)
        updated.append(
            {
                "id": pk,
                "ripple_id": member.ripple_id,
                "level": level,
                "level_rank": level_rank,
                "reasons": reasons,
                "uncertain": False,  # the ripple rule settled it, whatever the model thought
            }
        )
    if not updated:
        return
    update_rows(Comment, updated)
    classification.record_automatic_decisions(decided, now=now)
    urgency.comments_raised(brand=brand, comment_ids=decided, escalate=escalate, now=now)


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


def _grow(grown: dict[int, Growth], *, now: datetime) -> None:
    """Add what the batch brought to each active ripple, in one statement.

    Increments rather than a recount: a ripple may have thousands of members, and concurrent
    batches growing it both land.
    """
    update_rows(
        Ripple,
        [
            {
                "id": pk,
                "size": growth.size,
                "authors": growth.authors,
                "first_at": growth.first_at,
                "last_at": growth.last_at,
                "updated_at": now,
            }
            for pk, growth in sorted(grown.items())
        ],
        combine={
            "size": "{old} + {new}",
            "authors": "{old} + {new}",
            "first_at": "LEAST({old}, {new})",
            "last_at": "GREATEST({old}, {new})",
        },
    )
