"""Beat's rollup pass: thin and idempotent; two overlapping runs do the work once (the mark's
row lock), and a run lost midway is redone by the next."""

from celery import shared_task

from reports import retention, rollups, summaries


@shared_task(acks_late=True)
def update_rollups() -> int:
    return rollups.rollups_update()


@shared_task(acks_late=True)
def purge_export_records() -> int:
    return retention.export_records_purge()


@shared_task(acks_late=True)
def send_weekly_summaries() -> int:
    return summaries.weekly_summaries_promise()
