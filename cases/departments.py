"""Routing a case to a department with everything gathered, and hearing its answer back.

The information is written once on the request, so the department never needs to ask the
customer again. Departments have no login: their e-mail carries a signed link to a small page
where they answer; the person on the case can also record an answer they got another way.
Nothing here writes to the customer.

Each request is due some hours after it is sent (``Brand.department_hours``): the department is
reminded ``DEPARTMENT_REMIND_H`` hours before and again at the deadline, each once. Beat claims
the reminders that came due with one query on the partial index ``department_request_remind``,
the way it claims follow-ups (``core.queueing``), and reminds them in the same transaction.

Every mail to a department is promised in the transaction that decides it (``outbound.mails``):
a broker or a mail server that is down delays it and never loses it nor sends it twice.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

from brands.access import brand_ids_for
from cases import workflow
from cases.models import AuditAction, AuditEvent, Case, Department, DepartmentRequest
from cases.workflow import WORK
from core.errors import DomainError
from core.links import LinkError, SignedLink
from core.queueing import claim_due, each_isolated, error_text, retry_delay
from core.text import one_line
from outbound.mails import mail_create
from outbound.models import MailKind

CLAIM_BATCH = 500
#: The two reminders: some hours before the deadline, and at it.
BEFORE, DUE = "before", "due"

logger = logging.getLogger(__name__)

MANAGE = "cases.manage_department"
#: The department's link to answer a request, without an account.
ANSWER_LINK = SignedLink("semaforo.department", "department-answer", "DEPARTMENT_LINK_H")


def department_create(*, brand_id: int, actor, name: str, email: str) -> Department:
    if brand_id not in brand_ids_for(actor, MANAGE):
        raise Department.DoesNotExist(f"brand {brand_id}")
    name = name.strip()
    if not name or not email.strip():
        raise DomainError(_("A department needs a name and an e-mail."))
    if Department.objects.filter(brand_id=brand_id, name__iexact=name).exists():
        raise DomainError(
            _("This brand already has a department called %(name)s.") % {"name": name}
        )
    department = Department.objects.create(brand_id=brand_id, name=name, email=email.strip())
    AuditEvent.objects.create(
        actor=actor,
        action=AuditAction.DEPARTMENT_CREATED,
        created_at=timezone.now(),
        after={
            "department": department.pk,
            "brand": brand_id,
            "name": name,
            "email": department.email,
        },
    )
    return department


@transaction.atomic
def department_request(
    *, case_id: int, actor, department_id: int, need: str, details: str
) -> DepartmentRequest:
    """Hand the case to a department and wait for it (``workflow.case_move``, audited); the
    department's e-mail goes out once the transaction commits."""
    need, details = need.strip(), details.strip()
    if not need or not details:
        raise DomainError(_("Write what the customer needs and the details you gathered."))
    case = workflow.case_move(
        case_id=case_id, actor=actor, action="wait_department", note=need[:200]
    )
    department = Department.objects.filter(pk=department_id, brand_id=case.brand_id).first()
    if department is None:
        raise DomainError(_("Choose one of this brand's departments."))
    now = timezone.now()
    due_at = now + timedelta(hours=case.brand.department_hours())
    request = DepartmentRequest.objects.create(
        case=case,
        brand_id=case.brand_id,
        department=department,
        need=need,
        details=details,
        requested_by=actor,
        requested_at=now,
        due_at=due_at,
        remind_at=first_reminder_at(requested_at=now, due_at=due_at),
    )
    AuditEvent.objects.create(
        actor=actor,
        action=AuditAction.DEPARTMENT_REQUESTED,
        case=case,
        created_at=request.requested_at,
        after={"request": request.pk, "department": department.name, "note": need},
    )
    _mail_request(request)
    return request


def first_reminder_at(*, requested_at, due_at):
    """``DEPARTMENT_REMIND_H`` before the deadline; the deadline itself when that is no later
    than the request (a short deadline gets the one reminder at it)."""
    before = due_at - timedelta(hours=settings.SEMAFORO["DEPARTMENT_REMIND_H"])
    return before if before > requested_at else due_at


def _mail_request(request: DepartmentRequest) -> bool:
    """Promise the department its request with the signed answer link (``outbound.mails``);
    it goes once the request commits. False when it was promised before."""
    case = request.case
    with translation.override(case.brand.language):
        subject = _("[Semáforo] %(brand)s needs you on case #%(case)s: %(need)s") % {
            "brand": case.brand.name,
            "case": case.pk,
            "need": one_line(request.need, max_length=80),
        }
        body = _(
            "%(person)s asks %(department)s for help with case #%(case)s.\n\n"
            "What the customer needs:\n%(need)s\n\nWhat we already gathered (please do not ask "
            "the customer again):\n%(details)s\n\nAnswer here: %(link)s\n"
        ) % {
            "person": request.requested_by.get_full_name() or request.requested_by.username,
            "department": request.department.name,
            "case": case.pk,
            "need": request.need,
            "details": request.details,
            "link": ANSWER_LINK.url(request.pk),
        }
    mail_id = mail_create(
        brand_id=case.brand_id,
        kind=MailKind.DEPARTMENT_REQUEST,
        key=f"department-request:{request.pk}",
        to=[request.department.email],
        subject=subject,
        body=body,
        about=reverse("case-detail", args=[case.pk]),
    )
    return mail_id is not None


def department_request_mail_promise(*, request_id: int) -> bool:
    """Promise a request's mail that was queued before the outbox existed (a message of the old
    ``mail_department`` task still queued at the upgrade); its key keeps it to one."""
    with transaction.atomic():
        request = DepartmentRequest.objects.select_related(
            "case__brand", "department", "requested_by"
        ).get(pk=request_id)
        return _mail_request(request)


def request_from_token(token: str) -> DepartmentRequest:
    """The request a department's link names, or LinkError."""
    return ANSWER_LINK.row(
        token, DepartmentRequest.objects.select_related("case__brand", "department")
    )


def department_answer(*, request_id: int, answer: str, by=None) -> DepartmentRequest:
    """Record the department's answer on the case; the first answer counts.

    ``by`` is a person of the brand who recorded it (they must work the case); None when the
    department answered through its signed link, which acts once: a second answer through it
    raises ``LinkError(used=True)``, so the page can say the link was used.
    """
    answer = answer.strip()
    if not answer:
        raise DomainError(_("Write the department's answer."))
    with transaction.atomic():
        request = (
            DepartmentRequest.objects.select_for_update()
            .select_related("case", "department")
            .get(pk=request_id)
        )
        if by is not None:
            case = request.case
            if case.brand_id not in brand_ids_for(by, WORK):
                raise DepartmentRequest.DoesNotExist(f"request {request_id}")
            if not workflow.may_work_case(case, by):
                raise DomainError(_("This case is assigned to someone else; ask a supervisor."))
        if request.answered_at is not None:
            if by is None:
                raise LinkError(used=True)
            return request
        now = timezone.now()
        request.answer, request.answered_by, request.answered_at = answer, by, now
        request.remind_at = None
        request.save(update_fields=["answer", "answered_by", "answered_at", "remind_at"])
        AuditEvent.objects.create(
            actor=by,
            action=AuditAction.DEPARTMENT_ANSWERED,
            case=request.case,
            created_at=now,
            after={
                "request": request.pk,
                "department": request.department.name,
                "note": answer[:500],
                "via": "person" if by else "department link",
            },
        )
        workflow.case_department_answered(case_id=request.case_id, by=by)
    return request


def case_requests(case: Case):
    return case.department_requests.select_related("department", "requested_by", "answered_by")


# --- reminders ------------------------------------------------------------------------------


def department_reminders_claim(*, now=None) -> list[int]:
    """Claim the requests whose next reminder came and remind each; answer the ids reminded.

    The claim, each reminder's mark and its mail's promise (``outbound.mails``) commit in one
    transaction, so nothing claimed can be lost on its way to a worker. The claim empties
    ``remind_at``; the reminder re-arms it for the deadline. ``skip_locked`` and the claim make
    two overlapping passes share the work, never double it. Each request is reminded in a
    savepoint of its own: one that fails keeps its error, is tried again after a backoff, and
    never holds back the others.
    """
    now = now or timezone.now()
    reminded: list[int] = []

    def remind(pk: int) -> None:
        with transaction.atomic():
            if department_reminder(request_id=pk, now=now):
                reminded.append(pk)

    with transaction.atomic():
        ids = claim_due(
            DepartmentRequest.objects.filter(remind_at__lte=now, answered_at=None),
            order_by="remind_at",
            limit=CLAIM_BATCH,
            mark={"remind_at": None},
        )
        each_isolated(ids, remind, failed=partial(_reminder_failed, now=now))
    return reminded


def _reminder_failed(request_id: int, error: Exception, *, now) -> None:
    """Its savepoint rolled back: keep the error and arm it again after a backoff, so the pass
    that retries it is a later one, not the next minute's."""
    attempts = (
        DepartmentRequest.objects.values_list("remind_attempts", flat=True).get(pk=request_id) + 1
    )
    DepartmentRequest.objects.filter(pk=request_id).update(
        remind_attempts=attempts,
        remind_error=error_text(error),
        remind_at=now + retry_delay(attempts),
    )


def department_reminder(*, request_id: int, now=None) -> bool:
    """Remind the department of a request it has not answered: before the deadline, or at it.

    Which one is decided when it is sent, and each goes once: a second call finds it marked
    and does nothing; a reminder that ran late past the deadline is the one at it. The mail is
    promised in the transaction of the mark (``outbound.mails``). False when nothing was due
    (answered, the case closed, or already reminded).
    """
    now = now or timezone.now()
    with transaction.atomic():
        request = (
            DepartmentRequest.objects.select_for_update(of=("self",))
            .select_related("case__brand", "department")
            .get(pk=request_id)
        )
        if request.answered_at is not None or not request.case.is_open:
            DepartmentRequest.objects.filter(pk=request_id).update(remind_at=None)
            return False
        kind = DUE if now >= request.due_at else BEFORE
        mark = f"reminded_{kind}_at"
        if getattr(request, mark) is not None:
            return False
        setattr(request, mark, now)
        request.remind_at = request.due_at if kind == BEFORE else None
        request.save(update_fields=[mark, "remind_at"])
        AuditEvent.objects.create(
            action=AuditAction.DEPARTMENT_REMINDED,
            case=request.case,
            created_at=now,
            after={"request": request.pk, "department": request.department.name, "when": kind},
        )
        _mail_reminder(request, kind, now=now)
    return True


def _mail_reminder(request: DepartmentRequest, kind: str, *, now) -> None:
    case = request.case
    with translation.override(case.brand.language):
        if kind == BEFORE:
            subject = _("[Semáforo] Reminder: case #%(case)s needs your answer in %(left)s")
        else:
            subject = _("[Semáforo] Case #%(case)s: your answer is due now")
        left = timeuntil(request.due_at, now, depth=1)
        body = _(
            "%(brand)s is still waiting for %(department)s's answer on case #%(case)s, asked "
            "%(asked)s.\n\nWhat the customer needs:\n%(need)s\n\nAnswer here: %(link)s\n"
        ) % {
            "brand": case.brand.name,
            "department": request.department.name,
            "case": case.pk,
            "asked": timezone.localtime(request.requested_at).strftime("%Y-%m-%d %H:%M"),
            "need": request.need,
            "link": ANSWER_LINK.url(request.pk),
        }
        subject = subject % {"case": case.pk, "left": left}
    mail_create(
        brand_id=case.brand_id,
        kind=MailKind.DEPARTMENT_REMINDER,
        key=f"department-reminder:{request.pk}:{kind}",
        to=[request.department.email],
        subject=subject,
        body=body,
        about=reverse("case-detail", args=[case.pk]),
    )


def waiting_on(request: DepartmentRequest, *, now) -> dict:
    """Who the case waits on, for the case page: the department, for how long, and how long
    until its answer is due (or how late it is)."""
    return {
        "department": request.department.name,
        "since": timesince(request.requested_at, now, depth=1),
        "late": request.due_at <= now,
        "due": timeuntil(request.due_at, now, depth=1)
        if request.due_at > now
        else timesince(request.due_at, now, depth=1),
    }
