"""Replies to customers: drafted by a person, checked for tone, approved where the policy asks,
published only when a person presses publish.

No function here runs on a timer or on arrival: every reply starts with a person's draft and
reaches a customer only through ``reply_publish`` on an approved reply. The tests walk every
path to prove that no other way exists.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.access import brand_ids_for, in_brands
from cases.clocks import clocks_on_reply
from cases.models import OPEN_CASE_STATUSES, AuditAction, AuditEvent, Case
from cases.workflow import WORK, may_work_case
from comments.models import Classification
from core.errors import DomainError
from outbound.delivery import delivery_create
from outbound.models import Purpose
from replies import closing, faq, protocols
from replies.history import reply_body_write
from replies.models import Protocol, Reply, ReplyStatus, VersionReason, Visibility
from replies.templated import template_refusal
from replies.tone import tone_unconfirmed

APPROVE = "replies.approve_reply"
AUTHORITY_SIGNAL = "authority_mention"
_EDITABLE = (ReplyStatus.DRAFT, ReplyStatus.CHANGES_REQUESTED)


def approval_required(case: Case, *, protocol: Protocol | None = None) -> bool:
    """The brand's protocol decides; a claim that names an authority always needs a
    supervisor, whatever the protocol says (the seed texts' "who approves replies to claims
    and denunciations"). ``protocol``: the case's, when the caller has it already."""
    protocol = protocol or protocols.protocol_for(
        brand=case.brand, category=case.category, level=case.level
    )
    return protocol.requires_approval or _mentions_an_authority(case)


def _mentions_an_authority(case: Case) -> bool:
    """Read in every decision on the case's comments, so a person's later correction does not
    hide that the customer named an authority."""
    history = Classification.objects.filter(comment__case=case).values_list("reasons", flat=True)
    return any(
        reason.get("signal") == AUTHORITY_SIGNAL for reasons in history for reason in reasons or []
    )


def _audit(reply: Reply, actor, action: str, after: dict, *, now) -> None:
    AuditEvent.objects.create(
        actor=actor,
        action=action,
        case_id=reply.case_id,
        after={"reply": reply.pk, **after},
        created_at=now,
    )


def _case_for_work(case_id: int, actor) -> Case:
    case = (
        in_brands(Case.objects.select_related("brand", "author"), brand_ids_for(actor, WORK))
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Case.DoesNotExist(f"case {case_id}")
    if not may_work_case(case, actor):
        raise DomainError(_("This case is assigned to someone else; ask a supervisor."))
    return case


@transaction.atomic
def reply_draft(
    *,
    case_id: int,
    actor,
    body: str,
    visibility: str = Visibility.PUBLIC,
    template_id: int | None = None,
    faq_entry_id: int | None = None,
    reply_id: int | None = None,
    closes_publicly: bool = False,
) -> Reply:
    """Write or rewrite a draft; its tone is checked on every save. ``closes_publicly``: the
    one reply a closed case takes, the public thanks after the customer said it is solved
    (``replies.closing``). ``faq_entry_id``: the FAQ answer it started from (of the case's
    brand, not stale), whose use is counted when the draft is submitted."""
    case = _case_for_work(case_id, actor)
    if closes_publicly:
        if not closing.closing_open(case):
            raise DomainError(_("Only a case closed with the customer satisfied closes in public."))
    elif case.status not in OPEN_CASE_STATUSES:
        raise DomainError(_("The case is not open; reopen it to answer."))
    body = body.strip()
    if not body:
        raise DomainError(_("Write the reply first."))
    if visibility not in Visibility.values:
        raise DomainError(_("Choose public or private."))
    now = timezone.now()
    if reply_id is None:
        reply = Reply(
            case=case, brand_id=case.brand_id, author=actor, closes_publicly=closes_publicly
        )
        reason = VersionReason.DRAFTED
    else:
        draft = Reply.objects.select_for_update().filter(pk=reply_id, case=case).first()
        if draft is None:
            raise Reply.DoesNotExist(f"reply {reply_id}")
        if draft.status not in _EDITABLE:
            raise DomainError(_("Only a draft or a reply sent back can be edited."))
        reply, reason = draft, VersionReason.EDITED
    if faq_entry_id is not None and faq.suggested_entry(case, faq_entry_id, now=now) is None:
        raise DomainError(_("This FAQ entry is not offered for this case."), field="faq")
    reply.visibility = visibility
    reply.template_id = template_id or reply.template_id
    reply.faq_entry_id = faq_entry_id or reply.faq_entry_id
    reply.status = ReplyStatus.DRAFT
    reply_body_write(reply, body=body, actor=actor, reason=reason, now=now, case=case)
    _audit(
        reply,
        actor,
        AuditAction.REPLY_DRAFTED,
        {"tone": [w["kind"] for w in reply.tone_warnings]},
        now=now,
    )
    return reply


@transaction.atomic
def reply_submit(*, reply_id: int, actor, tone_reviewed: bool = False) -> Reply:
    """Send a draft on: to a supervisor when the policy asks, else straight to "approved",
    where it still waits for a person to publish it.

    A draft with tone warnings goes on only once its author says they reread it.
    """
    reply = _reply_for_work(reply_id, actor)
    if reply.status not in _EDITABLE:
        raise DomainError(_("This reply was already sent on."))
    refusal = template_refusal(reply.body, reply.case) or tone_unconfirmed(
        reply.tone_warnings, tone_reviewed=tone_reviewed
    )
    if refusal:
        raise DomainError(refusal)
    now = timezone.now()
    reply.needs_approval = approval_required(reply.case)
    reply.status = ReplyStatus.PENDING_APPROVAL if reply.needs_approval else ReplyStatus.APPROVED
    reply.submitted_at = now
    reply.save()
    faq.faq_use_record(reply, actor=actor, now=now)
    _audit(
        reply,
        actor,
        "reply_submitted",
        {"status": reply.status, "needs_approval": reply.needs_approval},
        now=now,
    )
    return reply


def _reply_for_work(reply_id: int, actor) -> Reply:
    reply = (
        Reply.objects.select_for_update()
        .select_related("case__brand", "case__author")
        .filter(pk=reply_id, brand_id__in=sorted(brand_ids_for(actor, WORK)))
        .first()
    )
    if reply is None:
        raise Reply.DoesNotExist(f"reply {reply_id}")
    if not may_work_case(reply.case, actor):
        raise DomainError(_("This case is assigned to someone else; ask a supervisor."))
    return reply


@transaction.atomic
def reply_review(
    *, reply_id: int, actor, approve: bool, note: str = "", body: str | None = None
) -> Reply:
    """A supervisor approves (possibly after editing the text) or sends back with a comment."""
    reply = (
        Reply.objects.select_for_update()
        .select_related("case__brand", "case__author")
        .filter(pk=reply_id, brand_id__in=sorted(brand_ids_for(actor, APPROVE)))
        .first()
    )
    if reply is None:
        raise Reply.DoesNotExist(f"reply {reply_id}")
    if reply.status != ReplyStatus.PENDING_APPROVAL:
        raise DomainError(_("This reply is not waiting for approval."))
    now = timezone.now()
    revised = body.strip() if body is not None else ""
    edited = bool(revised) and revised != reply.body
    if approve:
        # The approver's own wording is held to the authors' rule: no template goes out as is.
        refusal = template_refusal(revised, reply.case) if edited else None
        if refusal:
            raise DomainError(refusal)
        reply.status = ReplyStatus.APPROVED
        reason = VersionReason.APPROVER_CHANGED
    else:
        if not note.strip():
            raise DomainError(_("Say what to change before sending it back."))
        reply.status = ReplyStatus.CHANGES_REQUESTED
        reason = VersionReason.SENT_BACK
    reply.reviewed_by, reply.reviewed_at, reply.review_note = actor, now, note.strip()
    # The approver's words become a version of their own (sent back: the text as they left it,
    # with their note); the author's draft stays in the history underneath.
    reply_body_write(
        reply,
        body=revised if edited else reply.body,
        actor=actor,
        reason=reason,
        now=now,
        note=note.strip(),
    )
    _audit(
        reply,
        actor,
        "reply_approved" if approve else "reply_sent_back",
        {"edited": edited, "note": note.strip()},
        now=now,
    )
    return reply


@transaction.atomic
def reply_publish(*, reply_id: int, actor, by_hand: bool = False) -> Reply:
    """A person publishes an approved reply: through the brand's publishing tool (a signed
    webhook delivered by a worker), or records that they sent it by hand.

    The only way a reply reaches a customer; it refuses anything not approved.
    """
    reply = _reply_for_work(reply_id, actor)
    if reply.status != ReplyStatus.APPROVED:
        raise DomainError(_("Only an approved reply can be published."))
    now = timezone.now()
    reply.published_by, reply.published_at = actor, now
    if by_hand:
        reply.status = ReplyStatus.SENT_BY_HAND
    else:
        delivery = delivery_create(
            brand=reply.case.brand,
            purpose=Purpose.PUBLISHING,
            event="reply.publish",
            key=f"reply-{reply.pk}",
            payload=_publish_payload(reply),
        )
        if delivery is None:
            raise DomainError(
                _(
                    "This brand has no publishing tool connected: send it by "
                    "hand and mark it as sent."
                )
            )
        reply.status, reply.delivery_id = ReplyStatus.PUBLISHED, delivery.pk
    reply.save()
    _audit(reply, actor, AuditAction.REPLY_PUBLISHED, {"status": reply.status}, now=now)
    _response_clock_stop(reply.case, actor, now=now)
    return reply


def _response_clock_stop(case: Case, actor, *, now) -> None:
    """The first published reply, public or private, is the first response."""
    case = Case.objects.select_for_update().select_related("brand").get(pk=case.pk)
    if clocks_on_reply(case, now=now):
        case.save(update_fields=["responded_at", "alarm_at", "updated_at"])
        AuditEvent.objects.create(
            actor=actor,
            action=AuditAction.FIRST_RESPONSE,
            case=case,
            after={"minutes": round((now - case.opened_at).total_seconds() / 60, 1)},
            created_at=now,
        )


def _publish_payload(reply: Reply) -> dict:
    case = reply.case
    last = case.comments.order_by("-posted_at", "-id").first()
    return {
        "reply_id": reply.pk,
        "case": case.pk,
        "visibility": reply.visibility,
        "text": reply.body,
        "platform": last.platform if last else "",
        "in_reply_to": last.external_id if last else "",
        "author_handle": case.author.handle,
        "approved_by": reply.reviewed_by.get_username() if reply.reviewed_by else None,
        "published_by": reply.published_by.get_username() if reply.published_by else None,
    }
