"""Export records are kept ``SEMAFORO_EXPORT_RETENTION_DAYS`` (0: forever), then deleted by
beat (``reports.tasks.purge_export_records``) in batches: who exported what is evidence for a
while, not forever."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from reports.models import ExportRecord

BATCH = 500


def export_records_purge(*, now=None) -> int:
    days = settings.SEMAFORO["EXPORT_RETENTION_DAYS"]
    if not days:
        return 0
    due = ExportRecord.objects.filter(started_at__lt=(now or timezone.now()) - timedelta(days=days))
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(due.order_by("started_at").values_list("pk", flat=True)[:BATCH])
            count, _ = ExportRecord.objects.filter(pk__in=ids).delete()
        deleted += count
        if len(ids) < BATCH:
            return deleted
