"""Tasks of the ``crisis`` queue: thin, idempotent, retried with backoff."""

from smtplib import SMTPException

from celery import shared_task
from django.db import DatabaseError

from crisis import calling, containment, escalation

_TRANSIENT = (SMTPException, OSError, DatabaseError)


@shared_task(
    name=escalation.ESCALATE_TASK,
    acks_late=True,
    autoretry_for=_TRANSIENT,
    max_retries=8,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
)
def escalate(escalation_ids: list[int]) -> int:
    """Notify each escalation once; a retry skips those already done (the claim says so)."""
    return escalation.escalations_notify(escalation_ids=escalation_ids)


@shared_task(acks_late=True)
def sweep_escalations() -> int:
    return escalation.escalations_sweep()


@shared_task(
    name=calling.NOTIFY_LEVEL_TASK,
    acks_late=True,
    autoretry_for=_TRANSIENT,
    max_retries=8,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
)
def notify_level(crisis_id: int, level: int) -> int:
    """Tell one contact level; members already told are skipped (their row says so)."""
    return len(calling.crisis_notify_level(crisis_id=crisis_id, level=level))


@shared_task(acks_late=True)
def check_acknowledgements() -> int:
    return len(calling.crises_escalate_unacknowledged())


@shared_task(acks_late=True)
def measure_containment() -> int:
    """Beat: refresh each open crisis's measured containment (idempotent, read-mostly)."""
    return containment.crises_measure_containment()


@shared_task(name=calling.NOTICES_TASK, acks_late=True)
def send_notices(notice_ids: list[int]) -> int:
    """Each member's notice once; a failure stays on its row for the next sweep."""
    return calling.crisis_notices_send(notice_ids=notice_ids)


@shared_task(acks_late=True)
def sweep_notices() -> int:
    return calling.crisis_notices_sweep()
