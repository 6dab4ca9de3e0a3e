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
    return len(deadlines.deadline_alarms_claim())


@shared_task(
    name=deadlines.ALERT_TASK,
    acks_late=True,
    autoretry_for=_TRANSIENT,
    max_retries=6,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
)
def alert_deadlines(alarms: list[list]) -> int:
    """``[case_id, clock, breach]`` each, isolated: one that fails is retried alone."""
    return deadlines.deadline_alerts_send(alarms=alarms)


@shared_task(
    name=departments.MAIL_TASK,
    acks_late=True,
    autoretry_for=_TRANSIENT,
    max_retries=8,
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
)
def mail_department(request_ids: list[int]) -> None:
    for pk in request_ids:
        departments.department_request_mail(request_id=pk)


@shared_task(acks_late=True)
def remind_departments() -> int:
    return len(departments.department_reminders_claim())


@shared_task(
    name=departments.REMIND_TASK,
    acks_late=True,
    autoretry_for=_TRANSIENT,
    max_retries=6,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
)
def remind_department(request_ids: list[int]) -> int:
    """Each once: a retry skips the reminders already sent (their mark says so)."""
    return departments.department_reminders_send(request_ids=request_ids)
