"""A case's protocol steps, ticked off by the people who do them (the seed texts: "cada paso
con responsables, indicadores de gestión y el seguimiento").

What was done is kept as it was then: the step's text, its owner and the time it should have
taken are copied onto the record, so the indicators read what people followed, whatever the
protocol says today.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import AuditAction, AuditEvent, Case, CaseStatus
from cases.workflow import WORK, access_case_for_update, may_work_case
from core.errors import DomainError
from replies import protocols
from replies.models import CaseStep, Protocol, ProtocolStep


@dataclass(frozen=True)
class StepOnCase:
    """A protocol step as a case shows it: done (by whom, when) or not, and late or not."""

    step: ProtocolStep
    done: CaseStep | None
    due_at: datetime | None

    @property
    def late(self) -> bool:
        if self.due_at is None:
            return False
        at = self.done.done_at if self.done else timezone.now()
        return at > self.due_at


def with_steps(protocol: Protocol) -> Protocol:
    """The protocol with its steps (and their departments) and its solutions read once, for a
    page that shows them in several places."""
    prefetch_related_objects(
        [protocol],
        Prefetch("step_rows", queryset=ProtocolStep.objects.select_related("owner_department")),
        "solutions",
    )
    return protocol


def case_steps(case: Case, *, protocol: Protocol | None = None) -> list[StepOnCase]:
    """The case's protocol steps in order, each with its record. ``protocol``: the case's, when
    the caller has it already."""
    protocol = protocol or protocols.protocol_for(
        brand=case.brand, category=case.category, level=case.level
    )
    records = CaseStep.objects.filter(case=case).select_related("done_by")
    done = {row.step_id: row for row in records}
    return [
        StepOnCase(
            step=step,
            done=done.get(step.pk),
            due_at=(
                case.opened_at + timedelta(minutes=step.expected_minutes)
                if step.expected_minutes
                else None
            ),
        )
        for step in with_steps(protocol).step_rows.all()
    ]


@transaction.atomic
def case_step_done(*, case_id: int, actor, step_id: int) -> CaseStep:
    """Tick a step of the case's protocol off, as done now by ``actor``. Done once: ticking a
    step already done is an error that says by whom."""
    case, step = _case_and_step(case_id, actor, step_id)
    now = timezone.now()
    already = CaseStep.objects.filter(case=case, step=step).select_related("done_by").first()
    if already is not None:
        raise DomainError(
            _("That step was already done by %(person)s.")
            % {"person": already.done_by or _("someone no longer here")}
        )
    try:
        with transaction.atomic():
            record = CaseStep.objects.create(
                case=case,
                step=step,
                position=step.position,
                text=step.text,
                owner=step.owner_key,
                expected_minutes=step.expected_minutes,
                done_by=actor,
                done_at=now,
            )
    except IntegrityError:  # the case is locked: only a concurrent tick of the same step
        raise DomainError(_("That step was just done by someone else.")) from None
    _audit(case, actor, AuditAction.STEP_DONE, step, now=now)
    return record


@transaction.atomic
def case_step_undone(*, case_id: int, actor, step_id: int) -> None:
    """Take back a tick given by mistake; the audit log keeps both."""
    case, step = _case_and_step(case_id, actor, step_id)
    deleted, _rows = CaseStep.objects.filter(case=case, step=step).delete()
    if not deleted:
        raise DomainError(_("That step is not marked done."))
    _audit(case, actor, AuditAction.STEP_UNDONE, step, now=timezone.now())


def _case_and_step(case_id: int, actor, step_id: int) -> tuple[Case, ProtocolStep]:
    case = access_case_for_update(case_id, actor, WORK)
    if not may_work_case(case, actor):
        raise DomainError(_("This case is assigned to someone else; ask a supervisor."))
    if case.status == CaseStatus.CLOSED:
        raise DomainError(_("The case is closed; reopen it to change its steps."))
    protocol = protocols.protocol_for(brand=case.brand, category=case.category, level=case.level)
    step = protocol.step_rows.filter(pk=step_id).first()
    if step is None:
        raise DomainError(_("That step is not in this case's protocol."))
    return case, step


def _audit(case: Case, actor, action: str, step: ProtocolStep, *, now) -> None:
    AuditEvent.objects.create(
        actor=actor,
        action=action,
        case=case,
        before={},
        after={"step": step.text, "position": step.position + 1},
        created_at=now,
    )
