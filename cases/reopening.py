"""The one rule of a reopen, whoever reopens: a person on the case page, or the customer who
answers a follow-up "not satisfied"."""

from datetime import datetime

from cases.clocks import due_at_for
from cases.models import Case, CaseStatus


def case_reopen(case: Case, *, now: datetime) -> None:
    """Reopen the locked ``case`` in memory; the caller saves it and writes the audit event.

    A reopened case is owed a fresh answer: its resolution is cleared and it gets a new deadline,
    watched again.
    """
    case.status = CaseStatus.IN_PROGRESS
    case.satisfied, case.closed_at, case.resolved_at, case.outcome = None, None, None, ""
    case.due_at = due_at_for(case.brand, case.level, start=now)
    case.breach_alerted_at = None
