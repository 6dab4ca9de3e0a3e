"""Thin tasks: take ids, call ``outbound.delivery`` or ``outbound.mails``. Outcomes and their
retries are the domain's (recorded on each row); only a database error is retried here."""

from celery import shared_task
from django.db import DatabaseError

from outbound import delivery, mails


@shared_task(
    name=delivery.DELIVER_TASK,
    acks_late=True,
    autoretry_for=(DatabaseError,),
    max_retries=5,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
)
def deliver(delivery_id: int) -> bool:
    """Enqueued with ``queue=`` by ``delivery.delivery_enqueue``: chat on ``crisis``."""
    return delivery.delivery_attempt(delivery_id=delivery_id)


@shared_task(acks_late=True)
def sweep_deliveries() -> int:
    return delivery.deliveries_sweep()


@shared_task(name=mails.SEND_TASK, acks_late=True)
def send_mails(mail_ids: list[int]) -> int:
    """Each mail once; a failure is recorded on its row and retried by the sweep, not here."""
    return mails.mails_send(mail_ids=mail_ids)


@shared_task(acks_late=True)
def sweep_mails() -> int:
    return mails.mails_sweep()
