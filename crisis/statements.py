"""The brand's public statement on a crisis: drafted by the spokesperson, approved by a member
with decision power, published only by a person's action.

Like a reply (``replies.workflow``), nothing here runs on a timer or on arrival: the one way out is
``statement_publish`` on an approved statement. Rewriting an approved text sends it back to
draft, so what is published is always exactly what was approved.

Its tone is checked on every save with the replies' check (``replies.tone``): a statement
always answers complaints, so one without an apology is warned too. A statement with warnings
is approved only once the approver says they reread it, as a reply with warnings goes on only
once its author does.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from crisis.access import access_crisis_for
from crisis.models import DECISION_ROLES, CommitteeMember, EventKind, Statement, StatementStatus
from crisis.timeline import timeline_record
from outbound.delivery import delivery_create
from outbound.models import Purpose
from replies.tone import tone_unconfirmed, tone_warnings_for


def _seat(user, brand_id: int) -> CommitteeMember | None:
    return CommitteeMember.objects.filter(
        membership__user=user, membership__brand_id=brand_id
    ).first()


def may_draft(user, brand_id: int) -> bool:
    """The spokesperson drafts; a brand that named none lets anyone who may act in the room
    draft (the caller has checked that), so a crisis is never left without a voice."""
    seat = _seat(user, brand_id)
    if seat is not None and seat.is_spokesperson:
        return True
    return not CommitteeMember.objects.filter(
        membership__brand_id=brand_id, is_spokesperson=True
    ).exists()


def may_approve(user, brand_id: int) -> bool:
    seat = _seat(user, brand_id)
    return seat is not None and seat.committee_role in DECISION_ROLES


@transaction.atomic
def statement_draft(
    *, crisis_id: int, actor, body: str, statement_id: int | None = None
) -> Statement:
    """Write or rewrite the statement; a rewrite of an approved one needs approval again."""
    crisis = access_crisis_for(crisis_id=crisis_id, actor=actor)
    if not crisis.is_open:
        raise DomainError(_("The crisis is closed."))
    if not may_draft(actor, crisis.brand_id):
        raise DomainError(_("Only the spokesperson drafts the statement."))
    body = body.strip()
    if not body:
        raise DomainError(_("Write the statement first."))
    now = timezone.now()
    if statement_id is None:
        statement = Statement(crisis=crisis, drafted_by=actor)
    else:
        statement = Statement.objects.select_for_update().get(pk=statement_id, crisis=crisis)
        if statement.status not in (StatementStatus.DRAFT, StatementStatus.APPROVED):
            raise DomainError(_("A published statement cannot be changed."))
    statement.body, statement.drafted_by, statement.drafted_at = body, actor, now
    statement.tone_warnings = tone_warnings_for(
        body, language=crisis.brand.language, replying_to_complaint=True
    )
    statement.status, statement.approved_by, statement.approved_at = (
        StatementStatus.DRAFT,
        None,
        None,
    )
    statement.save()
    timeline_record(
        crisis,
        EventKind.STATEMENT,
        at=now,
        actor=actor,
        text=body,
        data={
            "statement": statement.pk,
            "status": statement.status,
            "tone": [w["kind"] for w in statement.tone_warnings],
        },
    )
    return statement


def _statement_for(statement_id: int, actor) -> Statement:
    statement = Statement.objects.select_for_update().select_related("crisis").get(pk=statement_id)
    access_crisis_for(crisis_id=statement.crisis_id, actor=actor)  # 404 for another brand
    return statement


@transaction.atomic
def statement_approve(*, statement_id: int, actor, tone_reviewed: bool = False) -> Statement:
    """A member with decision power (the manager) approves the exact text; with tone warnings,
    only once they say they reread it (``tone_reviewed``)."""
    statement = _statement_for(statement_id, actor)
    if not may_approve(actor, statement.crisis.brand_id):
        raise DomainError(_("Only a committee member with decision power approves it."))
    if statement.status != StatementStatus.DRAFT:
        raise DomainError(_("Only a draft can be approved."))
    refusal = tone_unconfirmed(statement.tone_warnings, tone_reviewed=tone_reviewed)
    if refusal:
        raise DomainError(refusal)
    now = timezone.now()
    statement.status, statement.approved_by, statement.approved_at = (
        StatementStatus.APPROVED,
        actor,
        now,
    )
    statement.save()
    timeline_record(
        statement.crisis,
        EventKind.STATEMENT,
        at=now,
        actor=actor,
        data={
            "statement": statement.pk,
            "status": statement.status,
            "tone": [w["kind"] for w in statement.tone_warnings],
            "tone_reviewed": bool(statement.tone_warnings),
        },
    )
    return statement


@transaction.atomic
def statement_publish(*, statement_id: int, actor, by_hand: bool = False) -> Statement:
    """A person publishes an approved statement through the brand's publishing tool, or
    records that they published it by hand. Refuses anything not approved."""
    statement = _statement_for(statement_id, actor)
    if statement.status != StatementStatus.APPROVED:
        raise DomainError(_("Only an approved statement can be published."))
    crisis = statement.crisis
    now = timezone.now()
    if by_hand:
        statement.status = StatementStatus.SENT_BY_HAND
    else:
        delivery = delivery_create(
            brand=crisis.brand,
            purpose=Purpose.PUBLISHING,
            event="statement.publish",
            key=f"statement-{statement.pk}",
            payload={
                "statement_id": statement.pk,
                "crisis": crisis.pk,
                "text": statement.body,
                "visibility": "public",
                "approved_by": (
                    statement.approved_by.get_username() if statement.approved_by else None
                ),
                "published_by": actor.get_username(),
            },
        )
        if delivery is None:
            raise DomainError(
                _(
                    "This brand has no publishing tool connected: publish it by "
                    "hand and mark it as sent."
                )
            )
        statement.status, statement.delivery_id = StatementStatus.PUBLISHED, delivery.pk
    statement.published_by, statement.published_at = actor, now
    statement.save()
    timeline_record(
        crisis,
        EventKind.STATEMENT,
        at=now,
        actor=actor,
        data={"statement": statement.pk, "status": statement.status},
    )
    return statement
