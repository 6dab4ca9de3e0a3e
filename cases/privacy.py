"""The customer's personal data, and the private handoff that gathers it.

The seed texts: move the conversation to a private channel when personal data is involved, and
respect the customer's privacy. What the customer gives in private is written once on the
customer (``Customer.personal_data``: the author, or the handles linked as one person), so a
returning customer's new case shows it without asking again. It is shown in full only to the
brand's people who work cases (the case and customer pages), and masked by
``mask_personal_data`` everywhere else: lists, the API, exports, the audit log, the crisis
committee. One helper, so no page masks differently from another.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brands.access import brand_ids_for
from cases.customers import customer_for_update
from cases.models import AuditAction, AuditEvent, Case
from cases.workflow import WORK, access_case_for_update, may_work_case
from core import pii
from core.errors import DomainError

#: The personal data a community manager may capture, in the order the form shows it.
PERSONAL_FIELDS = {
    "name": gettext_lazy("Full name"),
    "document_id": gettext_lazy("Document id"),
    "phone": gettext_lazy("Phone"),
    "email": gettext_lazy("E-mail"),
    "order_number": gettext_lazy("Order or account number"),
}
MAX_LENGTH = 200


def mask_value(field: str, value: str) -> str:
    """A recorded field masked as the comments' personal data is (``core.pii.mask_value``)."""
    return pii.mask_value(field, value)


def mask_comment_text(user, comment) -> str:
    """A comment's text as ``user`` may read it: in full where they see the brand's personal
    data, with the spans intake found (``Comment.pii``) masked elsewhere."""
    if may_see_personal_data(user, comment):
        return comment.text
    return pii.mask_text(comment.text, comment.pii)


def mask_personal_data(data: dict | None) -> dict:
    """The case's personal data as lists, the API and exports show it: e-mail ``jo***@gm***.com``,
    numbers ``***4567``, names ``J*** P***``. Unknown keys are masked as numbers, never shown."""
    return {field: mask_value(field, value) for field, value in (data or {}).items() if value}


def may_see_personal_data(user, row) -> bool:
    """Only the brand's people who work cases see the data in full; ``row`` is the case or
    the customer's author being shown."""
    brands = user.__dict__.get("_personal_data_brands")
    if brands is None:  # once per request, however many rows a list masks
        brands = user.__dict__["_personal_data_brands"] = brand_ids_for(user, WORK)
    return row.brand_id in brands


def personal_data_clean(data: dict) -> dict:
    """Trimmed known fields, empty ones dropped; a DomainError names the first bad one."""
    cleaned = {}
    for field in PERSONAL_FIELDS:
        value = str(data.get(field) or "").strip()
        if not value:
            continue
        if len(value) > MAX_LENGTH:
            raise DomainError(_("%(field)s is too long.") % {"field": PERSONAL_FIELDS[field]})
        if field == "email":
            try:
                validate_email(value)
            except ValidationError:
                raise DomainError(_("That e-mail address does not look right.")) from None
        if field == "phone" and not 7 <= len(re.sub(r"\D", "", value)) <= 15:
            raise DomainError(_("A phone number has between 7 and 15 digits."))
        cleaned[field] = value
    return cleaned


@transaction.atomic
def personal_data_record(*, case_id: int, actor, data: dict) -> Case:
    """Write what the customer gave in private on the case's customer, once, so nobody asks
    them again on this case or the next.

    The audit event (on the case) keeps which fields changed and their masked values: the log
    is read by more people than the case page, and must not become a copy of the data.
    """
    case = access_case_for_update(case_id, actor, WORK)
    if not may_work_case(case, actor):
        raise DomainError(_("This case is assigned to someone else; ask a supervisor."))
    cleaned = personal_data_clean(data)
    customer = customer_for_update(case.author)
    recorded = customer.personal_data
    if cleaned == recorded:
        raise DomainError(_("Nothing to change."))
    changed = sorted(k for k in set(cleaned) | set(recorded) if cleaned.get(k) != recorded.get(k))
    now = timezone.now()
    customer.personal_data, customer.personal_data_at = cleaned, now
    customer.save(update_fields=["personal_data", "personal_data_at"])
    AuditEvent.objects.create(
        actor=actor,
        action=AuditAction.PERSONAL_DATA_RECORDED,
        case=case,
        author_id=case.author_id,
        before=mask_personal_data(recorded),
        after={"fields": changed, "data": mask_personal_data(cleaned)},
        created_at=now,
    )
    return case
