"""Routing a case to a department with everything gathered, and hearing its answer back.

The information is written once on the request, so the department never needs to ask the
customer again. Departments have no login: their e-mail carries a signed link to a small page
where they answer; the person on the case can also record an answer they got another way.
Nothing here writes to the customer.
"""

import logging
from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brands.access import brand_ids_for
from cases import workflow
from cases.models import AuditAction, AuditEvent, Case, Department, DepartmentRequest
from cases.workflow import WORK
from core.errors import DomainError
from core.links import SignedLink
from core.queueing import publish_in_chunks
from core.text import one_line

#: The task that mails a department its request (``cases.tasks``).
MAIL_TASK = "cases.tasks.mail_department"

logger = logging.getLogger(__name__)

MANAGE = "cases.manage_department"
#: The department's link to answer a request, without an account.
ANSWER_LINK = SignedLink("semaforo.department", "department-answer", "DEPARTMENT_LINK_DAYS")


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
    request = DepartmentRequest.objects.create(
        case=case,
        brand_id=case.brand_id,
        department=department,
        need=need,
        details=details,
        requested_by=actor,
        requested_at=timezone.now(),
    )
    AuditEvent.objects.create(
        actor=actor,
        action=AuditAction.DEPARTMENT_REQUESTED,
        case=case,
        created_at=request.requested_at,
        after={"request": request.pk, "department": department.name, "note": need},
    )
    transaction.on_commit(partial(_enqueue_mail, request.pk), robust=True)
    return request


def _enqueue_mail(request_id: int) -> None:
    publish_in_chunks(MAIL_TASK, [request_id], chunk=1)


def department_request_mail(*, request_id: int) -> None:
    """Mail the department the request with its signed answer link; retried by its task when
    the mail server fails (at least once: a retry after a lost acknowledgement mails again)."""
    request = DepartmentRequest.objects.select_related(
        "case__brand", "department", "requested_by"
    ).get(pk=request_id)
    case = request.case
    with translation.override(case.brand.language):
        subject = one_line(
            _("[Semáforo] %(brand)s needs you on case #%(case)s: %(need)s")
            % {
                "brand": case.brand.name,
                "case": case.pk,
                "need": one_line(request.need, max_length=80),
            }
        )
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
    send_mail(subject, body, None, [request.department.email])


def request_from_token(token: str) -> DepartmentRequest:
    """The request a department's link names, or LinkError."""
    return ANSWER_LINK.row(
        token, DepartmentRequest.objects.select_related("case__brand", "department")
    )


def department_answer(*, request_id: int, answer: str, by=None) -> DepartmentRequest:
    """Record the department's answer on the case; the first answer counts.

    ``by`` is a person of the brand who recorded it (they must work the case); None when the
    department answered through its signed link.
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
            return request
        now = timezone.now()
        request.answer, request.answered_by, request.answered_at = answer, by, now
        request.save(update_fields=["answer", "answered_by", "answered_at"])
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
