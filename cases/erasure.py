"""Erasing one customer's traces from what the cases app keeps (``comments.erasure`` runs it).

The audit log is append-only: nothing else updates an event. ``audit_events_anonymise`` is the
one path that rewrites events, and only their payloads, for an erasure. An event stays (who
did what, when), with the person's words taken out of ``before`` and ``after``. The database's
guard on the log lets it through inside ``cases.audit.audit_erasure``.
"""

from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Q

from cases.audit import audit_erasure
from cases.models import AuditEvent, CaseNote, Customer, CustomerHandle, DepartmentRequest, FollowUp

#: What stands where a person's words were.
ERASED = "[…]"


def audit_events_anonymise(event_ids: Iterable[int], rewrite: Callable[[object], object]) -> int:
    """Rewrite the payloads (``before``, ``after``) of these events with ``rewrite`` (a JSON
    value in, the same value without the person out); answers the events changed. Call inside
    the erasure's transaction."""
    assert transaction.get_connection().in_atomic_block, "call inside the erasure's transaction"
    changed = 0
    with audit_erasure():
        events = AuditEvent.objects.filter(pk__in=list(event_ids)).only("pk", "before", "after")
        for event in events:
            before, after = rewrite(event.before), rewrite(event.after)
            if (before, after) != (event.before, event.after):
                AuditEvent.objects.filter(pk=event.pk).update(before=before, after=after)
                changed += 1
    return changed


def audit_events_of(*, author_id: int, case_ids: list[int], comment_ids: list[int]) -> list[int]:
    """The events about the person: on their handle, their cases or their comments."""
    about = Q(author_id=author_id) | Q(case_id__in=case_ids) | Q(comment_id__in=comment_ids)
    return list(AuditEvent.objects.filter(about).values_list("pk", flat=True))


def customer_forget(*, author_id: int) -> list[str]:
    """Take the handle out of its customer and forget what the customer gave in private (it is
    the same person's); a customer left with no handle goes. Answers the values forgotten, so
    the erasure can look for copies of them elsewhere."""
    link = CustomerHandle.objects.select_related("customer").filter(author_id=author_id).first()
    if link is None:
        return []
    customer = Customer.objects.select_for_update().get(pk=link.customer_id)
    forgotten = [str(value) for value in (customer.personal_data or {}).values() if value]
    link.delete()
    if not customer.handles.exists():
        customer.delete()
    else:
        customer.personal_data, customer.personal_data_at = {}, None
        customer.save(update_fields=["personal_data", "personal_data_at"])
    return forgotten


def case_records_erase(*, case_ids: list[int]) -> int:
    """What the person said or gave on their cases: notes, follow-up answers, what was handed to
    a department. The rows stay (times, outcomes, who did what); their words go."""
    rows = CaseNote.objects.filter(case_id__in=case_ids).exclude(text=ERASED).update(text=ERASED)
    rows += FollowUp.objects.filter(case_id__in=case_ids).exclude(answer="").update(answer="")
    requests = DepartmentRequest.objects.filter(case_id__in=case_ids)
    rows += requests.exclude(need=ERASED).update(need=ERASED, details=ERASED)
    rows += requests.exclude(answer="").exclude(answer=ERASED).update(answer=ERASED)
    return rows
