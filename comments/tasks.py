"""Tasks of the ``default`` queue for the classifier and the webhook inbox: thin, idempotent."""

from celery import shared_task
from django.db import DatabaseError

from comments import importing, learning, retention
from comments.connectors import inbox


@shared_task(acks_late=True)
def retrain_classifiers() -> int:
    return len(learning.retrains_nightly())


# Training takes about half a minute on an idle core; the limits leave room for a busy one.
@shared_task(name=learning.TRAIN_TASK, acks_late=True, time_limit=1800, soft_time_limit=1700)
def train_classifier_version(version_ids: list[int]) -> int:
    """Each once: a second delivery finds the row already claimed and does nothing."""
    return sum(learning.version_train(version_id=pk) is not None for pk in version_ids)


@shared_task(
    name=inbox.PROCESS_TASK,
    acks_late=True,
    autoretry_for=(DatabaseError,),
    max_retries=5,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
)
def process_webhook_deliveries(delivery_ids: list[int]) -> int:
    """Each once: a second delivery of the message finds the rows processed or claimed."""
    return inbox.deliveries_process(delivery_ids=delivery_ids)


@shared_task(acks_late=True)
def sweep_webhook_deliveries() -> int:
    return inbox.deliveries_sweep()


# A slice of an import lasts SEMAFORO_IMPORT_SLICE_S (a minute) and then hands on; the limits
# leave room for a slow batch on a busy database.
@shared_task(
    name=importing.RUN_TASK,
    acks_late=True,
    autoretry_for=(DatabaseError,),
    max_retries=5,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    time_limit=900,
    soft_time_limit=840,
)
def run_import(job_ids: list[int]) -> int:
    """A slice of each upload's import; the checkpoint makes a repeated message harmless."""
    return sum(importing.job_continue(pk) for pk in job_ids)


@shared_task(acks_late=True)
def sweep_imports() -> int:
    return len(importing.imports_sweep())


@shared_task(acks_late=True)
def purge_retention() -> dict:
    """Idempotent and batched (``comments.retention``): a second run finds nothing left."""
    purged = retention.retention_purge()
    return {
        "comments_forgotten": purged.comments_forgotten,
        "raw_payloads_emptied": purged.raw_payloads_emptied,
        "webhook_deliveries_deleted": purged.webhook_deliveries_deleted,
    }
