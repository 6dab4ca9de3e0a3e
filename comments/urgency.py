"""What follows when a stored comment becomes more urgent: its case, and the committee.

Reach grows, a ripple takes in comments stored before it formed, a person corrects the model:
each time, the comment's case follows by the cases' one rule (``cases.raising.cases_raise``), a
comment that had no case gets one when it now needs one, and a red is escalated.

This is the one module of ``comments`` that reaches the crisis app: reds go to its escalation
outbox (``crisis.escalation``) in the transaction that made them red.
"""

from collections.abc import Iterable
from datetime import datetime

from brands.models import Brand
from cases.models import OPEN_CASE_STATUSES
from cases.raising import CaseDemand, cases_raise
from comments.models import Comment
from core.bulk import fetch_values, update_rows
from crisis import escalation


def reds_escalate(comment_ids: Iterable[int], *, now: datetime) -> None:
    """Call inside the transaction that made them red; the committee hears after commit."""
    escalation.escalations_create(comment_ids=comment_ids, now=now)


def comments_raised(
    *, brand: Brand, comment_ids: Iterable[int], now: datetime, escalate: Iterable[int] = ()
) -> None:
    """These stored comments of ``brand`` changed category or level: their cases follow them.

    A comment in a closed case is left there: it was answered, and a person reopens the case
    if it needs it. ``escalate`` names those of them that turned red.
    """
    rows = _needing_their_case(brand, comment_ids)
    demands = [
        CaseDemand(pk, author_id, thread_key, category, level, platform, lang)
        for pk, author_id, thread_key, category, level, platform, lang, _case in rows
    ]
    raised = cases_raise(brand=brand, demands=demands, now=now)
    raised.write_raises()
    current = {row[0]: row[7] for row in rows}
    update_rows(
        Comment,
        [
            {"id": pk, "case_id": case_id}
            for pk, case_id in raised.case_ids.items()
            if current[pk] != case_id
        ],
    )
    reds_escalate(escalate, now=now)


def _needing_their_case(brand: Brand, comment_ids: Iterable[int]) -> list[tuple]:
    """The comments with no case or an open one."""
    ids = sorted(set(comment_ids))
    if not ids:
        return []
    rows = fetch_values(
        Comment.objects.filter(pk__any_of=ids, brand=brand)
        .order_by("pk")
        .values_list(
            "pk",
            "author_id",
            "thread_key",
            "category",
            "level",
            "platform",
            "lang",
            "case_id",
            "case__status",
        )
    )
    return [row[:8] for row in rows if row[8] is None or row[8] in OPEN_CASE_STATUSES]
