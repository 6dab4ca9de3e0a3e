"""A crisis moves on: responding, contained, closed; and the committee's decisions, logged.

Each move stamps its own time and writes the timeline, so the post-mortem reads facts; any move
also counts as taking the crisis in hand (acknowledged, and an owner if it had none).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from crisis.access import access_crisis_for
from crisis.models import Crisis, CrisisEvent, CrisisStatus, EventKind
from crisis.postmortem import postmortem_open
from crisis.timeline import timeline_record

#: Where each status may be reached from: forward only, and closing needs containment first.
TRANSITIONS: dict[CrisisStatus, tuple[CrisisStatus, ...]] = {
    CrisisStatus.RESPONDING: (CrisisStatus.DETECTED, CrisisStatus.COMMITTEE_NOTIFIED),
    CrisisStatus.CONTAINED: (
        CrisisStatus.DETECTED,
        CrisisStatus.COMMITTEE_NOTIFIED,
        CrisisStatus.RESPONDING,
    ),
    CrisisStatus.CLOSED: (CrisisStatus.CONTAINED,),
}
_STAMP: dict[CrisisStatus, str] = {
    CrisisStatus.RESPONDING: "responding_at",
    CrisisStatus.CONTAINED: "contained_at",
    CrisisStatus.CLOSED: "closed_at",
}


@transaction.atomic
def crisis_transition(*, crisis_id: int, actor, to: str, note: str = "", now=None) -> Crisis:
    """Move a crisis on (responding, contained, closed), stamping the time; closing seeds the
    post-mortem with the measured facts. Any move also counts as taking the crisis in hand."""
    now = now or timezone.now()
    crisis = access_crisis_for(crisis_id=crisis_id, actor=actor, lock=True)
    target = CrisisStatus(to) if to in TRANSITIONS else None
    if target is None:
        raise DomainError(_("Choose where the crisis goes: responding, contained or closed."))
    if crisis.status not in TRANSITIONS[target]:
        raise DomainError(
            _("A crisis cannot go from %(from)s to %(to)s.")
            % {"from": crisis.get_status_display(), "to": target.label}
        )
    before = crisis.status
    crisis.status = to
    setattr(crisis, _STAMP[target], now)
    if to == CrisisStatus.CONTAINED and crisis.responding_at is None:
        crisis.responding_at = now
    if crisis.acknowledged_at is None:
        crisis.acknowledged_at, crisis.acknowledged_by = now, actor
    crisis.owner = crisis.owner or actor
    crisis.save()
    timeline_record(
        crisis,
        EventKind.STATUS,
        at=now,
        actor=actor,
        text=note.strip(),
        data={"from": before, "to": to},
    )
    if to == CrisisStatus.CLOSED:
        postmortem_open(crisis=crisis, now=now)
    return crisis


def crisis_log_decision(
    *, crisis_id: int, actor, decided_by: str, decision: str, decided_at=None
) -> CrisisEvent:
    """Write a decision in the log: who decided what, and when (by default, now)."""
    decision, decided_by = decision.strip(), decided_by.strip()
    if not decision:
        raise DomainError(_("Write what was decided."))
    crisis = access_crisis_for(crisis_id=crisis_id, actor=actor)
    decided_at = decided_at or timezone.now()
    return timeline_record(
        crisis,
        EventKind.DECISION,
        at=decided_at,
        actor=actor,
        text=decision,
        data={"decided_by": decided_by or actor.get_full_name() or actor.username},
    )
