"""The one rule for how a case follows its comments: ``cases_raise``.

A negative comment belongs to the open case of its author and thread, opened when there is none;
the case takes the most urgent level of its comments, and its deadline shortens to match. Every
path that makes a comment more urgent comes here: intake, reach growth, a ripple's stored members
and a person's correction. The case never lowers itself: a calmer comment leaves it as it is,
until a supervisor lowers it by ``case_lower``, an explicit and audited step.
"""

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from brands.access import brand_ids_for, in_brands
from brands.models import Brand
from cases.assignment import cases_assign_by_rules
from cases.clocks import CLOCK_FIELDS, clocks_lowered, clocks_raised, clocks_started
from cases.models import OPEN_CASE_STATUSES, AuditAction, AuditEvent, Case, CaseStatus
from core.bulk import fetch_values, insert_rows, update_rows
from core.errors import DomainError
from core.taxonomy import LEVEL_RANK, Category, Level

#: Lowering a case is a supervisor's call: a lowered red skips the committee's attention.
LOWER_PERMISSION = "cases.assign_case"


@dataclass(frozen=True, slots=True)
class CaseDemand:
    """A comment that needs its case: ``key`` is the caller's name for the comment."""

    key: Hashable
    author_id: int
    thread_key: str
    category: str
    level: str
    platform: str
    lang: str

    @property
    def case_key(self) -> tuple[int, str]:
        return (self.author_id, self.thread_key)

    @property
    def rank(self) -> int:
        return LEVEL_RANK[Level(self.level)]


@dataclass(frozen=True, slots=True)
class OpenCase:
    pk: int
    level_rank: int
    status: str
    clocks: dict


@dataclass(slots=True)
class CasesRaised:
    """What ``cases_raise`` decided: each comment's case, and the open cases to raise.

    The raises are written by ``write_raises``, which a bulk caller runs last in its transaction:
    the raised rows stay locked until the commit, and a ripple raises hundreds at once.
    """

    case_ids: dict[Hashable, int] = field(default_factory=dict)
    raises: list[dict] = field(default_factory=list)

    def write_raises(self) -> None:
        update_rows(Case, self.raises)


def open_cases_of(author_ids: Iterable[int]) -> dict[tuple[int, str], OpenCase]:
    """The open cases of these authors, by (author, thread)."""
    return {
        (author_id, thread_key): OpenCase(
            pk, level_rank, status, dict(zip(CLOCK_FIELDS, clocks, strict=True))
        )
        for pk, author_id, thread_key, level_rank, status, *clocks in fetch_values(
            Case.objects.filter(
                author_id__any_of=sorted(set(author_ids)), status__in=OPEN_CASE_STATUSES
            ).values_list("pk", "author_id", "thread_key", "level_rank", "status", *CLOCK_FIELDS)
        )
    }


def cases_raise(
    *,
    brand: Brand,
    demands: Sequence[CaseDemand],
    now: datetime,
    open_cases: dict[tuple[int, str], OpenCase] | None = None,
) -> CasesRaised:
    """Open the missing cases and plan the raises; ``open_cases`` when the caller read them.

    Comments of the ``other`` category need no case. A case a concurrent batch opened meanwhile
    is joined; one opened and closed again meanwhile raises IntegrityError, for the caller to
    run again.
    """
    wanted: dict[tuple[int, str], CaseDemand] = {}
    for demand in demands:
        if demand.category == Category.OTHER:
            continue
        current = wanted.get(demand.case_key)
        if current is None or demand.rank < current.rank:
            wanted[demand.case_key] = demand
    if not wanted:
        return CasesRaised()
    wanted = dict(sorted(wanted.items()))  # the same lock order in every batch
    if open_cases is None:
        open_cases = open_cases_of(author_id for author_id, _ in wanted)
    case_ids = {case_key: case.pk for case_key, case in open_cases.items()}
    to_open = [demand for case_key, demand in wanted.items() if case_key not in open_cases]
    opened, open_cases = _open(brand, to_open, open_cases, case_ids, now=now)
    _record_opened(brand, opened, case_ids, now=now)
    return CasesRaised(
        case_ids={
            demand.key: case_ids[demand.case_key]
            for demand in demands
            if demand.category != Category.OTHER
        },
        raises=_raises(brand, wanted, open_cases, now=now),
    )


def _open(brand, to_open, open_cases, case_ids, *, now):
    """Insert the new cases; ``case_ids`` learns every one. Returns the demands this call opened
    and the open cases, with those a concurrent batch opened meanwhile."""
    # A conflict is a case a concurrent batch opened since ``open_cases`` was read: it is waited
    # for and joined here, where raising would have retried the whole batch.
    clocks = {level: clocks_started(brand, level, now=now) for level in {d.level for d in to_open}}
    inserted = insert_rows(
        Case,
        [
            {
                "brand_id": brand.pk,
                "author_id": demand.author_id,
                "thread_key": demand.thread_key,
                "status": CaseStatus.NEW,
                "assignee_id": None,
                "category": demand.category,
                "level": demand.level,
                "level_rank": demand.rank,
                "opened_at": now,
                **clocks[demand.level],
                "closed_at": None,
                "updated_at": now,
            }
            for demand in to_open
        ],
        returning=("id", "author_id", "thread_key"),
        ignore_conflicts=True,
    )
    case_ids |= {(author_id, thread_key): pk for pk, author_id, thread_key in inserted}
    if len(inserted) == len(to_open):
        return to_open, open_cases
    open_cases = open_cases | open_cases_of(demand.author_id for demand in to_open)
    missing = [
        demand.case_key
        for demand in to_open
        if demand.case_key not in case_ids and demand.case_key not in open_cases
    ]
    if missing:  # opened and closed again meanwhile: run the batch again
        raise IntegrityError(f"cases {missing} changed under this batch")
    for demand in to_open:
        case_ids.setdefault(demand.case_key, open_cases[demand.case_key].pk)
    opened_keys = {(author_id, thread_key) for _, author_id, thread_key in inserted}
    return [demand for demand in to_open if demand.case_key in opened_keys], open_cases


def _record_opened(brand, opened: list[CaseDemand], case_ids, *, now) -> None:
    insert_rows(
        AuditEvent,
        [
            {
                "actor_id": None,
                "action": AuditAction.CASE_OPENED,
                "comment_id": None,
                "case_id": case_ids[demand.case_key],
                "before": {},
                "created_at": now,
                "after": {"level": demand.level, "category": demand.category},
            }
            for demand in opened
        ],
    )
    by_urgency = sorted(opened, key=lambda demand: demand.rank)
    cases_assign_by_rules(
        brand=brand,
        now=now,
        new_cases=[
            (case_ids[demand.case_key], demand.platform, demand.lang) for demand in by_urgency
        ],
    )


def _raises(brand, wanted, open_cases, *, now) -> list[dict]:
    raises = []
    for case_key, demand in wanted.items():
        case = open_cases.get(case_key)
        if case is not None and demand.rank < case.level_rank:
            raises.append(
                {
                    "id": case.pk,
                    "level": demand.level,
                    "level_rank": demand.rank,
                    "category": demand.category,
                    **clocks_raised(brand, case.clocks, demand.level, status=case.status, now=now),
                }
            )
    return raises


def comments_level(comments: Iterable) -> tuple[str, str] | None:
    """The most urgent (category, level) among a case's negative comments; None if none."""
    negative = [c for c in comments if c.category != Category.OTHER]
    if not negative:
        return None
    first = min(negative, key=lambda comment: (comment.level_rank, comment.posted_at))
    return first.category, first.level


def case_lowerable_to(case: Case) -> tuple[str, str] | None:
    """Where ``case_lower`` would take the case (its comments prefetched), or None."""
    target = comments_level(case.comments.all())
    if target is None or LEVEL_RANK[Level(target[1])] <= case.level_rank:
        return None
    return target


def case_lower(*, case_id: int, actor, note: str) -> Case:
    """A person lowered a comment: the case comes down to its comments' most urgent level only
    by this explicit step, a supervisor's, with a reason in the audit log. The deadlines are
    those of the new level, counted from the opening (never from now: lowering buys no time
    that the old level had not given)."""
    with transaction.atomic():
        case = (
            in_brands(Case.objects.select_for_update(), brand_ids_for(actor, LOWER_PERMISSION))
            .select_related("brand")
            .filter(pk=case_id)
            .first()
        )
        if case is None:
            raise Case.DoesNotExist(f"case {case_id}")
        if not note.strip():
            raise DomainError(_("Say why the case comes down."))
        target = case_lowerable_to(case)
        if target is None:
            raise DomainError(_("The case is already at its comments' level."))
        before = {"category": case.category, "level": case.level}
        case.category, case.level = target
        case.level_rank = LEVEL_RANK[Level(case.level)]
        clocks_lowered(case)
        case.save()
        AuditEvent.objects.create(
            actor=actor,
            action=AuditAction.CASE_LOWERED,
            case=case,
            before=before,
            after={"category": case.category, "level": case.level, "note": note.strip()},
        )
    return case


def case_open_to_answer(*, brand: Brand, author_id: int, thread_key: str, actor, now) -> Case:
    """A light case for a comment that needs none (praise, thanks), opened because a person
    chose to answer it: theirs, in progress, green, with no alarm (a thank-you has no deadline a
    customer waits on). Resolving it closes it without follow-ups (``workflow.case_move``)."""
    clocks = clocks_started(brand, Level.GREEN, now=now) | {"alarm_at": None}
    case = Case.objects.create(
        brand=brand,
        author_id=author_id,
        thread_key=thread_key,
        status=CaseStatus.IN_PROGRESS,
        assignee=actor,
        category=Category.OTHER,
        level=Level.GREEN,
        level_rank=LEVEL_RANK[Level.GREEN],
        opened_at=now,
        **clocks,
    )
    AuditEvent.objects.create(
        actor=actor,
        action=AuditAction.CASE_OPENED,
        case=case,
        after={"category": Category.OTHER, "level": Level.GREEN, "via": "answer"},
        created_at=now,
    )
    return case
