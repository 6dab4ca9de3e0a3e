"""The audit log as a supervisor reads it: a brand's events of a period, narrowed by action,
actor or case, for the audit page and its CSV export.

The events are read as they were written (``cases.AuditEvent``): their payloads already hold
personal data masked (``cases.privacy``), and an erasure has taken a person's words out of them.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from cases.models import AuditEvent
from reports.periods import Period


@dataclass(frozen=True)
class AuditScope:
    brand_ids: frozenset[int]
    period: Period
    action: str = ""
    actor: str = ""  # the actor's name as the event keeps it, matched in full, any case
    case_id: int | None = None


def audit_events(scope: AuditScope) -> QuerySet[AuditEvent]:
    """Newest first, so the page opens on what just happened; the brand index
    (``audit_brand_created``) serves the period."""
    events = AuditEvent.objects.filter(
        brand_id__in=sorted(scope.brand_ids),
        created_at__gte=scope.period.start,
        created_at__lt=scope.period.end,
    )
    if scope.action:
        events = events.filter(action=scope.action)
    if scope.actor:
        events = events.filter(actor_name__iexact=scope.actor)
    if scope.case_id is not None:
        events = events.filter(case_id=scope.case_id)
    return events.order_by("-created_at", "-pk")
