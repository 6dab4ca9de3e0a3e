"""Closing in public: after a customer says their problem is solved, the thread where they
complained can say so too. Seed 003: "que cuando alguien en la red busque si somos de fiar,
vea que … han quedado satisfechos".

The desk suggests a short thanks; a person edits it and sends it through the same drafting,
approval and publishing as any reply, or skips it. Nothing goes out on its own.
"""

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brands.access import brand_ids_for, in_brands
from cases.models import AuditAction, AuditEvent, Case, CaseStatus
from cases.workflow import WORK
from core.errors import DomainError


def closing_open(case: Case) -> bool:
    """A satisfied close with no public closing drafted or skipped yet; reads the case's
    replies and history (prefetched on the case page)."""
    if case.status != CaseStatus.CLOSED or case.satisfied is not True:
        return False
    if any(reply.closes_publicly for reply in case.replies.all()):
        return False
    return not any(
        event.action == AuditAction.PUBLIC_CLOSING_SKIPPED for event in case.audit_events.all()
    )


def closing_suggestion(case: Case) -> str:
    """A starting point in the brand's language, for a person to make their own."""
    name = case.author.display_name or case.author.handle
    with translation.override(case.brand.language):
        return _(
            "Great to hear it is solved, %(name)s! Thank you for letting us know; we are here "
            "for anything else you need."
        ) % {"name": name}


@transaction.atomic
def public_closing_skip(*, case_id: int, actor) -> None:
    case = in_brands(Case.objects, brand_ids_for(actor, WORK)).filter(pk=case_id).first()
    if case is None:
        raise Case.DoesNotExist(f"case {case_id}")
    if not closing_open(case):
        raise DomainError(_("There is no public closing to skip."))
    AuditEvent.objects.create(
        actor=actor,
        action=AuditAction.PUBLIC_CLOSING_SKIPPED,
        case=case,
        created_at=timezone.now(),
    )
