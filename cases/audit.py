"""The audit log's guarantees: written for the apps below (``core.audit``), and changed only
by erasure.

The database refuses UPDATE and DELETE on audit rows (the trigger of migration 0012).
``audit_erasure`` is the one way through it, for anonymising what a person asked to have
erased: it sets a flag that the trigger reads, for the current transaction only.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.dispatch import receiver

from cases.models import AuditEvent
from core.audit import change_recorded

ERASURE_FLAG = "semaforo.audit_erasure"


@contextmanager
def audit_erasure() -> Iterator[None]:
    """Allow changes to audit rows inside the block, in its own transaction (or savepoint)."""
    with transaction.atomic():
        _set_erasure(True)
        try:
            yield
        finally:
            _set_erasure(False)


def _set_erasure(on: bool) -> None:
    if connection.vendor != "postgresql":
        return  # the trigger is PostgreSQL's; SQLite, the embedded demo's, has no flag
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [ERASURE_FLAG, "on" if on else "off"])


@receiver(change_recorded, dispatch_uid="cases.audit.record_change")
def record_change(*, actor, action: str, brand_id, before: dict, after: dict, **kwargs) -> None:
    AuditEvent.objects.create(
        actor=actor, action=action, brand_id=brand_id, before=before, after=after
    )
