"""Every move of a case through its life goes through here and leaves an audit event."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.access import brand_ids_for, in_brands
from cases import followups
from cases.clocks import clocks_on_status
from cases.models import AuditAction, AuditEvent, Case, CaseStatus, Outcome
from cases.reopening import case_reopen
from core.errors import DomainError
from core.taxonomy import Category
from replies import protocols

# --- cases ----------------------------------------------------------------------------------

WORK = "cases.work_case"
ASSIGN = "cases.assign_case"

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
        raise DomainError(
            _("Only a supervisor assigns cases to other people or takes them from someone.")
        )
    if case.brand_id not in brand_ids_for(assignee, WORK):
        raise DomainError(
            _("%(name)s does not work cases for this brand.") % {"name": assignee.get_username()}
        )
    if not case.is_open:
        raise DomainError(_("The case is no longer open; reopen it first."))
    if case.assignee_id == assignee.pk:
        raise DomainError(
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
        .order_by("level_rank", "response_due_at", "id")
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
    intermediate_solution: str = "",
    satisfied: bool | None = None,
) -> Case:
    """Move a case along its life (``TRANSITIONS``); every move leaves an audit event.

    ``resolve`` needs the outcome a person chose, and an intermediate solution names one the
    protocol approved; ``close`` records whether the customer was satisfied, and a case closes
    unsatisfied only with a note saying why.
    """
    if action not in TRANSITIONS:
        raise DomainError(_("Unknown action."))
    case = _locked_case(case_id, actor, WORK)
    if not may_work_case(case, actor):
        raise DomainError(_("This case is assigned to someone else; ask a supervisor."))
    sources, target = TRANSITIONS[action]
    if case.status not in sources:
        raise DomainError(
            _("A case that is “%(status)s” cannot do that.") % {"status": case.get_status_display()}
        )
    now = timezone.now()
    before = {"status": case.status}
    after: dict = {"status": target}
    if action == "resolve":
        if outcome not in Outcome.values:
            raise DomainError(
                _("Choose how the case ends: solved, intermediate solution or troll.")
            )
        protocol = protocols.protocol_for(
            brand=case.brand, category=case.category, level=case.level
        )
        if outcome not in protocol.outcomes:
            raise DomainError(
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
        case.intermediate_solution = ""
        if outcome == Outcome.INTERMEDIATE:
            case.intermediate_solution = _approved_solution(protocol, intermediate_solution)
            after["intermediate_solution"] = case.intermediate_solution
        if case.category == Category.OTHER:
            # A thank-you answered is done: nothing to follow up, so it closes at once.
            target, case.closed_at = CaseStatus.CLOSED, now
            after["status"] = target
    elif action == "close":
        if satisfied is None:
            raise DomainError(_("Record whether the customer is satisfied."))
        if not satisfied and not note.strip():
            raise DomainError(_("Say why the case closes with the customer unsatisfied."))
        case.satisfied, case.closed_at = satisfied, now
        after["satisfied"] = satisfied
    elif action == "reopen":
        if not note.strip():
            raise DomainError(_("Say why the case is reopened."))
        case_reopen(case, now=now)
    if note.strip():
        after["note"] = note.strip()
    after |= clocks_on_status(case, target, now=now)
    case.status = target
    case.save()
    _audit(case, actor, AuditAction(f"case_{action}"), before, after, now=now)
    if action == "resolve" and target == CaseStatus.RESOLVED:
        followups.follow_up_schedule(case=case, now=now)
    elif action in ("close", "reopen"):
        followups.follow_ups_cancel(case=case, now=now)
    return case


def _approved_solution(protocol, chosen: str) -> str:
    approved = protocol.solution_names()
    if chosen.strip() not in approved:
        raise DomainError(
            _("Choose the intermediate solution, among those the protocol approved: %(names)s.")
            % {"names": ", ".join(approved) or _("none yet; a supervisor adds them")},
            field="intermediate_solution",
        )
    return chosen.strip()


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
    paused = clocks_on_status(case, CaseStatus.IN_PROGRESS, now=now)
    case.status = CaseStatus.IN_PROGRESS
    case.save()
    _audit(
        case,
        by,
        "case_resume",
        {"status": CaseStatus.WAITING_DEPARTMENT},
        {"status": case.status, "via": "department answer", **paused},
        now=now,
    )
    return case


def case_record_answer(*, case_id: int, actor, satisfied: bool | None, note: str = "") -> Case:
    """The customer answered the person (by phone, in a private message): record it as if they
    had used the satisfaction link. ``satisfied`` None: the person did not say."""
    if satisfied is None:
        raise DomainError(_("Record whether the customer is satisfied."))
    with transaction.atomic():
        case = _locked_case(case_id, actor, WORK)
        if not may_work_case(case, actor):
            raise DomainError(_("This case is assigned to someone else; ask a supervisor."))
        if case.status != CaseStatus.RESOLVED:
            raise DomainError(_("Only a resolved case waits for the customer's answer."))
        if not satisfied and not note.strip():
            raise DomainError(_("Say what the customer still needs."))
        pending = (
            case.follow_ups.filter(answered_at=None, cancelled_at=None, closes_case=False)
            .order_by("-number")
            .first()
        )
        if pending is None:
            pending = followups.follow_up_schedule(case=case, now=timezone.now())
        followups.follow_up_answer(
            follow_up_id=pending.pk, satisfied=satisfied, answer=note, by=actor
        )
    case.refresh_from_db()
    return case


def _username(user) -> str | None:
    return user.get_username() if user is not None else None
