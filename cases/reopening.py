"""The one rule of a reopen, whoever reopens: a person on the case page, or the customer who
answers a follow-up "not satisfied"."""

from datetime import datetime

from cases.clocks import clocks_restarted
from cases.models import Case, CaseStatus


def case_reopen(case: Case, *, now: datetime) -> None:
    """Reopen the locked ``case`` in memory; the caller saves it and writes the audit event.

    A reopened case is owed a fresh answer: its resolution is cleared, both clocks start again
    and are watched again, and resolving it schedules follow-ups again.
    """
    case.status = CaseStatus.IN_PROGRESS
    case.satisfied, case.closed_at, case.resolved_at, case.outcome = None, None, None, ""
    case.intermediate_solution = ""
    clocks_restarted(case, now=now, status=CaseStatus.IN_PROGRESS)
