"""Every change a person makes to a comment or case goes through here and leaves an audit event."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.access import brand_ids_for, in_brands
from comments import followups, protocols
from comments.intake import due_at_for
from comments.models import (
    LEVEL_RANK,
    AuditEvent,
    Author,
    Case,
    CaseStatus,
    Classification,
    Comment,
    FollowUp,
    Level,
    Outcome,
)
from crisis import escalation


class WorkflowError(Exception):
    """A change that the rules do not allow; the message is shown to the person."""


@transaction.atomic
def classification_correct(
    *, comment_id: int, user, category: str, level: str, note: str = ""
) -> Comment:
    """A person's category and level replace the model's; the correction is training data.

    A correction to red escalates like any other red.
    """
    comment = Comment.objects.select_for_update().get(pk=comment_id)
    before = {"category": comment.category, "level": comment.level}
    after = {"category": category, "level": level}
    if before == after and comment.classified_by_human:
        raise WorkflowError("nothing to change")
    now = timezone.now()
    reasons = [{"signal": "human", "evidence": user.get_username()}]
    Classification.objects.create(
        comment=comment,
        category=category,
        level=level,
        confidence=1.0,
        reasons=reasons,
        model_version="",
        is_human=True,
        decided_by=user,
        note=note,
        created_at=now,
    )
    comment.category, comment.level = category, level
    comment.level_rank = LEVEL_RANK[Level(level)]
    comment.confidence, comment.reasons, comment.classified_by_human = 1.0, reasons, True
    comment.save(
        update_fields=[
            "category",
            "level",
            "level_rank",
            "confidence",
            "reasons",
            "classified_by_human",
        ]
    )
    AuditEvent.objects.create(
        actor=user,
        action="classification_corrected",
        comment=comment,
        case=comment.case,
        before=before,
        after={**after, "note": note},
        created_at=now,
    )
    if level == Level.RED:
        escalation.escalations_create(comment_ids=[comment.pk], now=now)
    return comment


# --- cases ----------------------------------------------------------------------------------

WORK = "comments.work_case"
ASSIGN = "comments.assign_case"

# action: (the statuses it may start from, the status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "start": (frozenset({CaseStatus.ASSIGNED}), CaseStatus.IN_PROGRESS),
    "wait_customer": (
        frozenset({CaseStatus.IN_PROGRESS, CaseStatus.WAITING_DEPARTMENT}),
        CaseStatus.WAITING_CUSTOMER,
    ),
    "wait_department": (
        frozenset({CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CUSTOMER}),
        CaseStatus.WAITING_DEPARTMENT,
    ),
    "resume": (
        frozenset({CaseStatus.WAITING_CUSTOMER, CaseStatus.WAITING_DEPARTMENT}),
        CaseStatus.IN_PROGRESS,
    ),
    "resolve": (
        frozenset(
            {CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CUSTOMER, CaseStatus.WAITING_DEPARTMENT}
        ),
        CaseStatus.RESOLVED,
    ),
    "close": (frozenset({CaseStatus.RESOLVED}), CaseStatus.CLOSED),
    "reopen": (frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED}), CaseStatus.IN_PROGRESS),
}


def allowed_actions(case: Case) -> list[str]:
    """The transitions open from the case's status, in the order a person takes them."""
    return [action for action, (sources, _) in TRANSITIONS.items() if case.status in sources]


def _locked_case(case_id: int, actor, perm: str) -> Case:
    """The case, locked for this transaction, if the actor may ``perm`` in its brand.

    Another brand's case is "not found", as everywhere else in the desk.
    """
    case = (
        in_brands(Case.objects.select_for_update(), brand_ids_for(actor, perm))
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Case.DoesNotExist(f"case {case_id}")
    return case


def access_case_for_update(case_id: int, actor, perm: str) -> Case:
    """``_locked_case`` for the domain modules beside this one (privacy, departments) that
    change a case outside its life's transitions. Call inside a transaction."""
    return _locked_case(case_id, actor, perm)


def _audit(case: Case, actor, action: str, before: dict, after: dict, *, now) -> None:
    AuditEvent.objects.create(
        actor=actor, action=action, case=case, before=before, after=after, created_at=now
    )


def may_work_case(case: Case, actor) -> bool:
    """The assignee works their case; a supervisor of the brand may act on any of its cases."""
    return case.assignee_id == actor.pk or case.brand_id in brand_ids_for(actor, ASSIGN)


@transaction.atomic
def case_assign(*, case_id: int, actor, assignee) -> Case:
    """Give a case to a person of its brand. Anyone who works cases may take one for
    themselves; giving it to someone else is a supervisor's call."""
    case = _locked_case(case_id, actor, WORK)
    reassigning = case.assignee_id not in (None, actor.pk)
    if (assignee.pk != actor.pk or reassigning) and case.brand_id not in brand_ids_for(
        actor, ASSIGN
    ):
        raise WorkflowError(
            _("Only a supervisor assigns cases to other people or takes them from someone.")
        )
    if case.brand_id not in brand_ids_for(assignee, WORK):
        raise WorkflowError(
            _("%(name)s does not work cases for this brand.") % {"name": assignee.get_username()}
        )
    if not case.is_open:
        raise WorkflowError(_("The case is no longer open; reopen it first."))
    if case.assignee_id == assignee.pk:
        raise WorkflowError(
            _("The case is already assigned to %(name)s.") % {"name": assignee.get_username()}
        )
    now = timezone.now()
    before = {"status": case.status, "assignee": _username(case.assignee)}
    case.assignee = assignee
    if case.status == CaseStatus.NEW:
        case.status = CaseStatus.ASSIGNED
    case.save(update_fields=["assignee", "status", "updated_at"])
    _audit(
        case,
        actor,
        "case_assigned",
        before,
        {"status": case.status, "assignee": assignee.get_username()},
        now=now,
    )
    return case


@transaction.atomic
def case_take_next(*, actor, brand_ids: frozenset[int]) -> Case | None:
    """The most urgent unassigned case of these brands, now the actor's; None when none waits.

    ``skip_locked``: two people pressing "take next" at once get two different cases.
    """
    workable = brand_ids & brand_ids_for(actor, WORK)
    case = (
        in_brands(Case.objects.filter(status=CaseStatus.NEW, assignee=None), workable)
        .order_by("level_rank", "due_at", "id")
        .select_for_update(skip_locked=True)
        .first()
    )
    if case is None:
        return None
    now = timezone.now()
    case.assignee, case.status = actor, CaseStatus.ASSIGNED
    case.save(update_fields=["assignee", "status", "updated_at"])
    _audit(
        case,
        actor,
        "case_assigned",
        {"status": CaseStatus.NEW, "assignee": None},
        {"status": case.status, "assignee": actor.get_username(), "via": "take_next"},
        now=now,
    )
    return case


@transaction.atomic
def case_move(
    *,
    case_id: int,
    actor,
    action: str,
    note: str = "",
    outcome: str = "",
    satisfied: bool | None = None,
) -> Case:
    """Move a case along its life (``TRANSITIONS``); every move leaves an audit event.

    ``resolve`` needs the outcome a person chose; ``close`` records whether the customer was
    satisfied, and a case closes unsatisfied only with a note saying why.
    """
    if action not in TRANSITIONS:
        raise WorkflowError(_("Unknown action."))
    case = _locked_case(case_id, actor, WORK)
    if not may_work_case(case, actor):
        raise WorkflowError(_("This case is assigned to someone else; ask a supervisor."))
    sources, target = TRANSITIONS[action]
    if case.status not in sources:
        raise WorkflowError(
            _("A case that is “%(status)s” cannot do that.") % {"status": case.get_status_display()}
        )
    now = timezone.now()
    before = {"status": case.status}
    after: dict = {"status": target}
    if action == "resolve":
        if outcome not in Outcome.values:
            raise WorkflowError(
                _("Choose how the case ends: solved, intermediate solution or troll.")
            )
        protocol = protocols.protocol_for(
            brand=case.brand, category=case.category, level=case.level
        )
        if outcome not in protocol.outcomes:
            raise WorkflowError(
                _(
                    "The protocol for this kind of case does not allow “%(outcome)s”;"
                    " choose one of: %(allowed)s."
                )
                % {
                    "outcome": Outcome(outcome).label,
                    "allowed": ", ".join(str(label) for _v, label in protocol.outcome_choices()),
                }
            )
        case.outcome, case.resolved_at = outcome, now
        after["outcome"] = outcome
    elif action == "close":
        if satisfied is None:
            raise WorkflowError(_("Record whether the customer is satisfied."))
        if not satisfied and not note.strip():
            raise WorkflowError(_("Say why the case closes with the customer unsatisfied."))
        case.satisfied, case.closed_at = satisfied, now
        after["satisfied"] = satisfied
    elif action == "reopen":
        if not note.strip():
            raise WorkflowError(_("Say why the case is reopened."))
        case.satisfied, case.closed_at, case.resolved_at, case.outcome = None, None, None, ""
        # A reopened case is owed a fresh answer: a new deadline, watched again.
        case.due_at, case.breach_alerted_at = due_at_for(case.brand, case.level, start=now), None
    if note.strip():
        after["note"] = note.strip()
    case.status = target
    case.save()
    _audit(case, actor, f"case_{action}", before, after, now=now)
    if action == "resolve":
        followups.follow_up_schedule(case=case, now=now)
    elif action in ("close", "reopen"):
        followups.follow_ups_cancel(case=case, now=now)
    return case


@transaction.atomic
def case_department_answered(*, case_id: int, by=None) -> Case:
    """A department answered: the case goes back to the person once no department it waits on
    is still silent. ``by`` is the person who recorded the answer; None when the department
    answered through its link (it has no login, so no permission is asked of it here: the
    signed link is its credential, checked by the caller).
    """
    case = Case.objects.select_for_update().get(pk=case_id)
    still_waiting = case.department_requests.filter(answered_at=None).exists()
    if case.status != CaseStatus.WAITING_DEPARTMENT or still_waiting:
        return case
    now = timezone.now()
    case.status = CaseStatus.IN_PROGRESS
    case.save(update_fields=["status", "updated_at"])
    _audit(
        case,
        by,
        "case_resume",
        {"status": CaseStatus.WAITING_DEPARTMENT},
        {"status": case.status, "via": "department answer"},
        now=now,
    )
    return case


def case_record_answer(*, case_id: int, actor, satisfied: bool, note: str = "") -> Case:
    """The customer answered the person (by phone, in a private message): record it as if they
    had used the satisfaction link."""
    with transaction.atomic():
        case = _locked_case(case_id, actor, WORK)
        if not may_work_case(case, actor):
            raise WorkflowError(_("This case is assigned to someone else; ask a supervisor."))
        if case.status != CaseStatus.RESOLVED:
            raise WorkflowError(_("Only a resolved case waits for the customer's answer."))
        if not satisfied and not note.strip():
            raise WorkflowError(_("Say what the customer still needs."))
        pending = (
            case.follow_ups.filter(answered_at=None, cancelled_at=None).order_by("number").first()
        )
        if pending is None:
            last = case.follow_ups.order_by("-number").values_list("number", flat=True).first()
            pending = FollowUp.objects.create(
                case=case, brand_id=case.brand_id, number=(last or 0) + 1, due_at=timezone.now()
            )
        followups.follow_up_answer(
            follow_up_id=pending.pk, satisfied=satisfied, answer=note, by=actor
        )
    case.refresh_from_db()
    return case


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


# --- authors --------------------------------------------------------------------------------


@transaction.atomic
def author_flag_troll(*, author_id: int, actor, is_troll: bool, note: str = "") -> Author:
    """Flag (or unflag) an author as a troll at their brand: *no alimentes al troll*.

    From now on their insults with small reach are green and wait on the monitor list instead of
    the reply queue. Unflagging needs a reason, because it puts them back in front of people.
    """
    author = (
        in_brands(Author.objects.select_for_update(), brand_ids_for(actor, "comments.flag_troll"))
        .filter(pk=author_id)
        .first()
    )
    if author is None:
        raise Author.DoesNotExist(f"author {author_id}")
    if author.is_troll == is_troll:
        raise WorkflowError(_("Nothing to change."))
    if not is_troll and not note.strip():
        raise WorkflowError(_("Say why this author is no longer treated as a troll."))
    author.is_troll = is_troll
    author.save(update_fields=["is_troll", "updated_at"])
    AuditEvent.objects.create(
        actor=actor,
        action="troll_flagged" if is_troll else "troll_unflagged",
        author=author,
        before={"is_troll": not is_troll},
        after={"is_troll": is_troll, "note": note.strip()},
        created_at=timezone.now(),
    )
    return author
