"""How an app below ``cases`` writes to the one audit log (``cases.models.AuditEvent``).

A brand's settings, a committee seat, an outbound endpoint and an API token live in apps that
the layering keeps from importing ``cases``. They announce the change here; ``cases.audit``
writes the event. A receiver runs synchronously, so the event commits or rolls back with the
change it records.
"""

from django.db import models
from django.dispatch import Signal
from django.forms.models import model_to_dict

change_recorded = Signal()


def audit_change(*, actor, action: str, brand_id: int | None, before: dict, after: dict) -> None:
    change_recorded.send(
        sender=None, actor=actor, action=action, brand_id=brand_id, before=before, after=after
    )


def snapshot(obj: models.Model, *, exclude: tuple[str, ...] = ()) -> dict:
    """The fields of ``obj`` that an audit event keeps, as JSON: what a secret holds never
    is (name it in ``exclude``)."""
    data = model_to_dict(obj, exclude=exclude)
    return {"id": obj.pk, **{key: _plain(value) for key, value in data.items()}}


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (str, int, float, bool, dict)) or value is None:
        return value
    return str(value)
