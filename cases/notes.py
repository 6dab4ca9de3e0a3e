"""Free notes on a case, written by people: what the customer said on the phone, what the next
person should know. Shown on the case page and on the customer's page, each one audited."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import AuditAction, AuditEvent, CaseNote
from cases.workflow import WORK, access_case_for_update
from core.errors import DomainError

MAX_LENGTH = 5000


@transaction.atomic
def case_note_add(*, case_id: int, actor, text: str) -> CaseNote:
    """Anyone who works cases at the case's brand may add a note, open or closed: a colleague
    who took the customer's call knows something the assignee should read."""
    case = access_case_for_update(case_id, actor, WORK)
    text = text.strip()
    if not text:
        raise DomainError(_("Write the note."))
    if len(text) > MAX_LENGTH:
        raise DomainError(_("A note has at most %(n)s characters.") % {"n": MAX_LENGTH})
    now = timezone.now()
    note = CaseNote.objects.create(case=case, author=actor, text=text, created_at=now)
    AuditEvent.objects.create(
        actor=actor,
        action=AuditAction.NOTE_ADDED,
        case=case,
        created_at=now,
        after={"note_id": note.pk, "note": text[:200]},
    )
    return note
