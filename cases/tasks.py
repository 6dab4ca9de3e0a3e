"""Tasks of the ``default`` queue: thin, idempotent, retried with backoff."""

from smtplib import SMTPException

from celery import shared_task
from django.db import DatabaseError

from cases import deadlines, departments, followups

_TRANSIENT = (SMTPException, OSError, DatabaseError)


@shared_task(acks_late=True)
def schedule_follow_ups() -> int:
    return len(followups.follow_ups_claim_due())


@shared_task(
    name=followups.PROMPT_TASK,
    acks_late=True,
    autoretry_for=_TRANSIENT,
    max_retries=6,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
)
def prompt_follow_ups(follow_up_ids: list[int]) -> int:
    """Each once: a retry skips those already prompted (their claim says so)."""
    return followups.follow_ups_prompt(follow_up_ids=follow_up_ids)


@shared_task(acks_late=True)
def check_deadlines() -> int:
    """Beat: claim the alarms due; their mails go through the outbox (``outbound.mails``)."""
    return len(deadlines.deadline_alarms_claim())


@shared_task(acks_late=True)
def remind_departments() -> int:
    """Beat: claim the reminders due and remind them; their mails go through the outbox."""
    return len(departments.department_reminders_claim())


# --- upgrade: messages of tasks that the outbox replaced -------------------------------------
# Published before the upgrade and still queued: each promises its mail to the outbox (by the
# same idempotency keys), so nothing queued at the upgrade is lost. Remove after one release.


@shared_task(name="cases.tasks.mail_department", acks_late=True)
def mail_department(request_ids: list[int]) -> int:
    return sum(departments.department_request_mail_promise(request_id=pk) for pk in request_ids)


@shared_task(name="cases.tasks.alert_deadlines", acks_late=True)
def alert_deadlines(alarms: list[list]) -> int:
    return sum(
        deadlines.deadline_alert_promise(case_id=case_id, clock=clock, breach=breach)
        for case_id, clock, breach in alarms
    )


@shared_task(name="cases.tasks.remind_department", acks_late=True)
def remind_department(request_ids: list[int]) -> int:
    return sum(departments.department_reminder(request_id=pk) for pk in request_ids)
