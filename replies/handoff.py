"""The private handoff: the conversation moves to a private channel, and the public reply that
says so is drafted from the protocol for a person to send on (the seed texts: personal data is
asked for in private)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import AuditAction, AuditEvent, Case, PrivateChannel
from cases.workflow import WORK, access_case_for_update, may_work_case
from core.errors import DomainError
from replies import protocols
from replies import workflow as replies
from replies.models import Protocol, Reply, Visibility
from replies.templated import template_text


def handoff_templates(case: Case, *, protocol: Protocol | None = None):
    """The protocol's public "we have written to you privately" templates, brand language
    first. ``protocol``: the case's, when the caller has it already."""
    protocol = protocol or protocols.protocol_for(
        brand=case.brand, category=case.category, level=case.level
    )
    templates = list(protocol.templates.filter(private_handoff=True))
    return sorted(templates, key=lambda t: (t.language != case.brand.language, t.name))


@transaction.atomic
def private_handoff(*, case_id: int, actor, channel: str, template_id: int | None = None) -> Reply:
    """Record the private channel and draft the public reply that says so.

    The draft goes through ``replies.reply_draft``: it is tone-checked, and still needs a
    person to send it on, a supervisor where the policy asks, and a person to publish it.
    """
    if channel not in PrivateChannel.values:
        raise DomainError(_("Choose the private channel."))
    case = access_case_for_update(case_id, actor, WORK)
    if not may_work_case(case, actor):
        raise DomainError(_("This case is assigned to someone else; ask a supervisor."))
    if not case.is_open:
        raise DomainError(_("The case is not open; reopen it to answer."))
    templates = handoff_templates(case)
    template = (
        next((t for t in templates if t.pk == template_id), None)
        if template_id
        else (templates[0] if templates else None)
    )
    if template is None:
        raise DomainError(
            _(
                "The protocol has no template to move the conversation to "
                "private; a supervisor can add one."
            )
        )
    before = {"private_channel": case.private_channel}
    case.private_channel = channel
    case.save(update_fields=["private_channel", "updated_at"])
    AuditEvent.objects.create(
        actor=actor,
        action=AuditAction.PRIVATE_HANDOFF,
        case=case,
        before=before,
        after={"private_channel": channel},
        created_at=timezone.now(),
    )
    return replies.reply_draft(
        case_id=case.pk,
        actor=actor,
        body=template_text(template, case),
        visibility=Visibility.PUBLIC,
        template_id=template.pk,
    )
