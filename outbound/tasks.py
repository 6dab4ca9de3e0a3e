"""Thin tasks: take an id, call ``outbound.delivery``. HTTP outcomes and their retries are the
domain's (they are recorded per attempt); only a database error is retried here."""

from celery import shared_task
from django.db import DatabaseError

from outbound import delivery


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
