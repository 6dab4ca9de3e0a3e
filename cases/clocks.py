"""A case's two clocks, after Zammad's SLA model: the first response and the resolution.

- The first response is due a brand's minutes for the level after the case opens (or reopens),
  and stops at the first published reply, public or private.
- The resolution is due later, and is paused while the case waits on the customer or on a
  department: the wait moves its deadline on, and is recorded.

Each clock warns the people on the case some minutes before its deadline and again at the
deadline, each once. The deadline watch reads one indexed column, ``alarm_at``: the next moment
either clock needs telling. Every change to a clock goes through these functions, which keep it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from brands.models import Brand
from cases.models import OPEN_CASE_STATUSES, Case, CaseStatus
from outbound.mails import mails_withdraw

PAUSING = frozenset({CaseStatus.WAITING_CUSTOMER, CaseStatus.WAITING_DEPARTMENT})
RESPONSE, RESOLUTION = "response", "resolution"


class Alarm(NamedTuple):
    """One warning (``breach`` False) or breach of one clock, to tell."""

    clock: str
    breach: bool


def response_due_for(brand: Brand, level: str, *, start: datetime) -> datetime:
    return start + timedelta(minutes=brand.due_minutes()[level])


def resolution_due_for(brand: Brand, level: str, *, start: datetime) -> datetime:
    return start + timedelta(minutes=brand.resolve_minutes()[level])


def clocks_started(brand: Brand, level: str, *, now: datetime) -> dict:
    """The clock fields of a case opened now at ``level``."""
    fields = {
        "response_due_at": response_due_for(brand, level, start=now),
        "resolution_due_at": resolution_due_for(brand, level, start=now),
        "responded_at": None,
        "paused_at": None,
        "paused_seconds": 0,
        "response_warned_at": None,
        "response_breached_at": None,
        "resolution_warned_at": None,
        "resolution_breached_at": None,
    }
    fields["alarm_at"] = next_alarm_at(fields, status=CaseStatus.NEW, warn=_warn(brand))
    return fields


def clocks_raised(brand: Brand, clocks: dict, level: str, *, status: str, now: datetime) -> dict:
    """A more urgent level shortens both deadlines (never lengthens them; an answered first
    response stays answered): the clock fields to write, the same keys for every case."""
    response_due = clocks["response_due_at"]
    if clocks["responded_at"] is None:
        response_due = min(response_due, response_due_for(brand, level, start=now))
    changed = {
        "response_due_at": response_due,
        "resolution_due_at": min(
            clocks["resolution_due_at"], resolution_due_for(brand, level, start=now)
        ),
    }
    changed["alarm_at"] = next_alarm_at(clocks | changed, status=status, warn=_warn(brand))
    return changed


def clocks_lowered(case: Case) -> None:
    """A lowered case's deadlines are its new level's, from the opening plus its pauses."""
    if case.responded_at is None:
        case.response_due_at = response_due_for(case.brand, case.level, start=case.opened_at)
    case.resolution_due_at = resolution_due_for(
        case.brand, case.level, start=case.opened_at
    ) + timedelta(seconds=case.paused_seconds)
    case.alarm_at = next_alarm_at(clocks_of(case), status=case.status, warn=_warn(case.brand))


#: The fields ``clocks_raised`` reads from a case.
CLOCK_FIELDS = (
    "response_due_at",
    "resolution_due_at",
    "responded_at",
    "paused_at",
    "response_warned_at",
    "response_breached_at",
    "resolution_warned_at",
    "resolution_breached_at",
)


def clocks_of(case: Case) -> dict:
    return {name: getattr(case, name) for name in CLOCK_FIELDS}


def next_alarm_at(clocks: dict, *, status: str, warn: timedelta) -> datetime | None:
    """The next warning or breach still to tell; None when the case owes nothing."""
    if status not in OPEN_CASE_STATUSES:
        return None
    moments = []
    if clocks["responded_at"] is None:
        moments.append(_next_of(clocks, RESPONSE, warn))
    if clocks["paused_at"] is None:
        moments.append(_next_of(clocks, RESOLUTION, warn))
    pending = [moment for moment in moments if moment is not None]
    return min(pending) if pending else None


def _next_of(clocks: dict, clock: str, warn: timedelta) -> datetime | None:
    due = clocks[f"{clock}_due_at"]
    if clocks[f"{clock}_breached_at"] is not None:
        return None
    if clocks[f"{clock}_warned_at"] is None and warn:
        return due - warn
    return due


def alarms_due(case: Case, *, now: datetime) -> list[Alarm]:
    """Mark on ``case`` (in memory) what is due to tell now, and re-arm it; the caller saves.

    A watch that was down past a breach tells the breach alone: the warning is moot.
    """
    clocks = clocks_of(case)
    warn = _warn(case.brand)
    due: list[Alarm] = []
    running = []
    if case.responded_at is None:
        running.append(RESPONSE)
    if case.paused_at is None:
        running.append(RESOLUTION)
    if case.is_open:
        for clock in running:
            deadline = clocks[f"{clock}_due_at"]
            if clocks[f"{clock}_breached_at"] is not None:
                continue
            if deadline <= now:
                setattr(case, f"{clock}_breached_at", now)
                if getattr(case, f"{clock}_warned_at") is None:
                    setattr(case, f"{clock}_warned_at", now)
                due.append(Alarm(clock, breach=True))
            elif clocks[f"{clock}_warned_at"] is None and deadline - warn <= now:
                setattr(case, f"{clock}_warned_at", now)
                due.append(Alarm(clock, breach=False))
    case.alarm_at = next_alarm_at(clocks_of(case), status=case.status, warn=warn)
    return due


def alert_key_prefix(case_id: int, clock: str) -> str:
    """What the keys of one clock's alert mails start with (``deadlines``)."""
    return f"deadline:{case_id}:{clock}:"


def _withdraw_alerts(case: Case, clock: str) -> None:
    """The clock stopped: an alert of it not sent yet (the mail server was down) is moot. Only
    a clock that has warned can have one, so the others cost no query."""
    if getattr(case, f"{clock}_warned_at") is not None:
        mails_withdraw(key_prefix=alert_key_prefix(case.pk, clock))


def clocks_on_status(case: Case, target: str, *, now: datetime) -> dict:
    """The status is about to become ``target``: pause or resume the resolution clock, and
    re-arm. Returns what the audit event should say of the pause (empty when nothing)."""
    said: dict = {}
    if target not in OPEN_CASE_STATUSES:
        _withdraw_alerts(case, RESPONSE)
        _withdraw_alerts(case, RESOLUTION)
    elif target in PAUSING and case.paused_at is None:
        _withdraw_alerts(case, RESOLUTION)
    if target in PAUSING and case.paused_at is None:
        case.paused_at = now
        said = {"paused": True}
    elif target not in PAUSING and case.paused_at is not None:
        waited = max(0, int((now - case.paused_at).total_seconds()))
        case.resolution_due_at += timedelta(seconds=waited)
        case.paused_seconds += waited
        case.paused_at = None
        said = {"paused_for_s": waited}
    case.alarm_at = next_alarm_at(clocks_of(case), status=target, warn=_warn(case.brand))
    return said


def clocks_on_reply(case: Case, *, now: datetime) -> bool:
    """A reply was published: the first one stops the response clock. True when it did."""
    if case.responded_at is not None:
        return False
    _withdraw_alerts(case, RESPONSE)
    case.responded_at = now
    case.alarm_at = next_alarm_at(clocks_of(case), status=case.status, warn=_warn(case.brand))
    return True


def clocks_restarted(case: Case, *, now: datetime, status: str) -> None:
    """A reopened case is owed a fresh answer: both clocks start again, watched again."""
    for name, value in clocks_started(case.brand, case.level, now=now).items():
        setattr(case, name, value)
    case.alarm_at = next_alarm_at(clocks_of(case), status=status, warn=_warn(case.brand))


def response_overdue(case_clocks: dict, *, now: datetime) -> bool:
    """The taxonomy's "open case past its deadline": the first response is late."""
    return case_clocks["responded_at"] is None and case_clocks["response_due_at"] < now


def _warn(brand: Brand) -> timedelta:
    return timedelta(minutes=brand.warn_minutes())


# --- in words, for the case page and lists ----------------------------------------------------


@dataclass(frozen=True)
class ClockState:
    """One clock as a person reads it: ``state`` is met, breached_met (answered late), late,
    due_soon, running, paused or stopped (the case closed before it ran out)."""

    clock: str
    state: str
    due_at: datetime
    done_at: datetime | None


def clock_states(case: Case, *, now: datetime) -> list[ClockState]:
    warn = _warn(case.brand)
    response_done = case.responded_at
    resolution_done = (
        case.resolved_at if case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) else None
    )
    return [
        ClockState(
            RESPONSE,
            _state(case.response_due_at, response_done, now, warn, paused=False, open=case.is_open),
            case.response_due_at,
            response_done,
        ),
        ClockState(
            RESOLUTION,
            _state(
                case.resolution_due_at,
                resolution_done,
                now,
                warn,
                paused=case.paused_at is not None,
                open=case.is_open,
            ),
            case.resolution_due_at,
            resolution_done,
        ),
    ]


def _state(due, done, now, warn, *, paused: bool, open: bool) -> str:
    if done is not None:
        return "met" if done <= due else "breached_met"
    if not open:
        return "stopped"
    if paused:
        return "paused"
    if due <= now:
        return "late"
    if due - warn <= now:
        return "due_soon"
    return "running"
