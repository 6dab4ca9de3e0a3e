"""Routing a case to a department with what was gathered, and its answer coming back."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone, translation

from cases import departments, workflow
from cases.models import AuditEvent, Case, CaseStatus, Department, DepartmentRequest
from core.errors import DomainError
from core.links import LinkError
from core.taxonomy import Level
from outbound.models import Mail
from tests.factories import case_with_comment, send_mails, sign_in, signed_hours_ago

pytestmark = pytest.mark.django_db
DETAILS = "Cuenta terminada en 4567; doble cargo de 350 MXN el 3 de marzo; quiere el reembolso."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def billing(aurora):
    return Department.objects.create(
        brand=aurora, name="Facturación", email="facturacion@aurora.example"
    )


@pytest.fixture
def case(aurora, alice) -> Case:
    case = case_with_comment(brand=aurora, level=Level.GREEN)
    workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)
    return workflow.case_move(case_id=case.pk, actor=alice, action="start")


def _route(case, alice, billing, capture) -> DepartmentRequest:
    """Route the case, then send what the outbox holds, as its worker does."""
    with capture(execute=False):
        request = departments.department_request(
            case_id=case.pk,
            actor=alice,
            department_id=billing.pk,
            need="Reembolso del doble cobro",
            details=DETAILS,
        )
    send_mails()
    return request


def _link(message) -> str:
    return re.search(r"http://\S+/d/\S+/", message.body).group(0)


def test_routing_waits_on_the_department_audits_and_mails_it_the_gathered_information(
    case, alice, billing, django_capture_on_commit_callbacks
):
    request = _route(case, alice, billing, django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_DEPARTMENT
    actions = list(case.audit_events.values_list("action", flat=True))
    assert actions[-2:] == ["case_wait_department", "department_requested"]
    [message] = mail.outbox
    assert message.to == ["facturacion@aurora.example"]
    assert DETAILS in message.body
    assert "Reembolso del doble cobro" in message.body
    assert _link(message).endswith(
        reverse("department-answer", args=[departments.ANSWER_LINK.token(request.pk)])
    )


def test_the_department_answers_through_its_link_and_the_case_comes_back(
    client, case, alice, billing, django_capture_on_commit_callbacks
):
    _route(case, alice, billing, django_capture_on_commit_callbacks)
    path = _link(mail.outbox[0]).split("127.0.0.1:8000", 1)[-1]
    page = client.get(path)
    assert page.status_code == 200
    assert DETAILS in page.content.decode()
    client.post(path, {"answer": "Reembolso aprobado, llega en 48 h."})
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    request = case.department_requests.get()
    assert request.answer == "Reembolso aprobado, llega en 48 h."
    assert request.answered_by is None
    resume = case.audit_events.get(action="case_resume")
    assert resume.actor is None
    assert resume.after["via"] == "department answer"
    # A second answer through the same link changes nothing.
    client.post(path, {"answer": "otra cosa"})
    request.refresh_from_db()
    assert request.answer == "Reembolso aprobado, llega en 48 h."
    assert case.audit_events.filter(action="department_answered").count() == 1


def test_a_used_department_link_says_so_and_never_acts_twice(
    client, case, alice, billing, django_capture_on_commit_callbacks
):
    """The link is a bearer credential: once it answered, posting again (a replay, a
    colleague with the forwarded mail) is refused with 409 and a page that says the link was
    used, showing the answer it recorded; opening it only reads."""
    request = _route(case, alice, billing, django_capture_on_commit_callbacks)
    path = reverse("department-answer", args=[departments.ANSWER_LINK.token(request.pk)])
    first = client.post(path, {"answer": "Reembolso aprobado."})
    assert first.status_code == 200
    assert 'data-link="used"' not in first.content.decode()

    again = client.post(path, {"answer": "Mejor no, rechazado."})
    assert again.status_code == 409
    assert 'data-link="used"' in again.content.decode()
    assert "Reembolso aprobado." in again.content.decode()
    opened = client.get(path)
    assert (opened.status_code, 'data-link="used"' in opened.content.decode()) == (200, True)
    request.refresh_from_db()
    assert request.answer == "Reembolso aprobado."
    assert case.audit_events.filter(action="department_answered").count() == 1
    with pytest.raises(LinkError) as used:
        departments.department_answer(request_id=request.pk, answer="otra")
    assert used.value.used


def test_a_department_link_holds_two_days_not_a_month(
    client, case, alice, billing, django_capture_on_commit_callbacks
):
    request = _route(case, alice, billing, django_capture_on_commit_callbacks)
    with signed_hours_ago(47):
        fresh = reverse("department-answer", args=[departments.ANSWER_LINK.token(request.pk)])
    with signed_hours_ago(49):
        old = reverse("department-answer", args=[departments.ANSWER_LINK.token(request.pk)])
    assert client.get(fresh).status_code == 200
    refused = client.post(old, {"answer": "Reembolso aprobado."})
    assert refused.status_code == 410
    assert 'data-link="expired"' in refused.content.decode()
    assert DepartmentRequest.objects.get().answered_at is None


def test_a_tampered_or_expired_department_link_is_refused(
    client, case, alice, billing, django_capture_on_commit_callbacks, settings
):
    request = _route(case, alice, billing, django_capture_on_commit_callbacks)
    token = departments.ANSWER_LINK.token(request.pk)
    assert client.get(reverse("department-answer", args=[token[:-2] + "xx"])).status_code == 400
    forged = signing.dumps({"r": request.pk}, salt="another.salt", compress=True)
    assert (
        client.post(reverse("department-answer", args=[forged]), {"answer": "x"}).status_code == 400
    )
    settings.SEMAFORO = {**settings.SEMAFORO, "DEPARTMENT_LINK_H": 0}
    assert client.get(reverse("department-answer", args=[token])).status_code == 410
    assert DepartmentRequest.objects.get().answered_at is None


def test_the_case_waits_until_every_department_answered(
    case, alice, billing, aurora, django_capture_on_commit_callbacks
):
    logistics = Department.objects.create(
        brand=aurora, name="Logística", email="logistica@aurora.example"
    )
    first = _route(case, alice, billing, django_capture_on_commit_callbacks)
    workflow.case_move(case_id=case.pk, actor=alice, action="wait_customer")
    second = _route(case, alice, logistics, django_capture_on_commit_callbacks)
    departments.department_answer(request_id=first.pk, answer="Hecho")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.WAITING_DEPARTMENT
    departments.department_answer(request_id=second.pk, answer="Enviado", by=alice)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_PROGRESS
    assert DepartmentRequest.objects.get(pk=second.pk).answered_by == alice


def test_routing_is_refused_without_details_to_another_brand_or_by_someone_else(
    case, alice, sam, bruno, billing, rapimenu
):
    with pytest.raises(DomainError, match="details"):
        departments.department_request(
            case_id=case.pk, actor=alice, department_id=billing.pk, need="x", details=" "
        )
    rapi_legal = Department.objects.create(brand=rapimenu, name="Legal", email="l@rapi.example")
    with pytest.raises(DomainError, match="departments"):
        departments.department_request(
            case_id=case.pk, actor=alice, department_id=rapi_legal.pk, need="x", details="y"
        )
    with pytest.raises(Case.DoesNotExist):
        departments.department_request(
            case_id=case.pk, actor=bruno, department_id=billing.pk, need="x", details="y"
        )
    other_cm = _other_cm(case)
    with pytest.raises(DomainError, match="someone else"):
        departments.department_request(
            case_id=case.pk, actor=other_cm, department_id=billing.pk, need="x", details="y"
        )
    # Nothing moved and nothing was recorded by the refusals.
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_PROGRESS
    assert not DepartmentRequest.objects.exists()
    assert not mail.outbox


def _other_cm(case):
    from brands.roles import Role
    from tests.conftest import _person

    return _person("dora", Role.COMMUNITY_MANAGER, case.brand)


def test_the_case_page_routes_shows_the_request_and_records_an_answer(
    client, case, alice, bruno, billing, django_capture_on_commit_callbacks
):
    sign_in(client, "alice")
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "Facturación" in page
    assert 'name="need"' in page
    # With departments to route to, waiting on one goes through the routing form, never bare.
    assert reverse("case-action", args=[case.pk, "wait_department"]) not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("case-route", args=[case.pk]),
            {"department": billing.pk, "need": "Reembolso", "details": DETAILS},
        )
    request = DepartmentRequest.objects.get()
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert DETAILS in page
    assert f'data-request-id="{request.pk}"' in page
    # Bruno, of another brand, cannot record an answer on it: not found.
    client.logout()
    sign_in(client, "bruno")
    assert (
        client.post(
            reverse("department-request-answer", args=[request.pk]), {"answer": "x"}
        ).status_code
        == 404
    )
    client.logout()
    sign_in(client, "alice")
    client.post(reverse("department-request-answer", args=[request.pk]), {"answer": "Dicen que sí"})
    request.refresh_from_db()
    assert (request.answer, request.answered_by) == ("Dicen que sí", alice)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_PROGRESS


def test_only_a_supervisor_adds_departments_for_their_brand(client, sam, alice, rapimenu):
    sign_in(client, "alice")
    assert client.get(reverse("departments")).status_code == 403
    client.logout()
    sign_in(client, "sam")
    client.post(
        reverse("departments"),
        {"brand": sam.memberships.get().brand_id, "name": "Legal", "email": "legal@aurora.example"},
    )
    assert Department.objects.filter(name="Legal").exists()
    assert AuditEvent.objects.filter(action="department_created").count() == 1
    response = client.post(
        reverse("departments"), {"brand": rapimenu.pk, "name": "Legal", "email": "l@x.example"}
    )
    assert response.status_code == 404
    assert not Department.objects.filter(brand=rapimenu).exists()


# --- the deadline and its reminders ---------------------------------------------------------


def _shift(request, **moments) -> None:
    """Move a request's moments (a controlled clock: the rows, not the time, move)."""
    DepartmentRequest.objects.filter(pk=request.pk).update(**moments)
    request.refresh_from_db()


def test_a_request_is_due_after_the_brands_hours_and_reminded_some_hours_before(
    case, alice, billing, aurora, django_capture_on_commit_callbacks
):
    request = _route(case, alice, billing, django_capture_on_commit_callbacks)
    assert request.due_at - request.requested_at == timedelta(hours=24)
    assert request.due_at - request.remind_at == timedelta(hours=4)
    aurora.department_due_hours = 2
    aurora.save()
    workflow.case_move(case_id=case.pk, actor=alice, action="resume")
    short = _route(case, alice, billing, django_capture_on_commit_callbacks)
    # Shorter than the warning: the one reminder is at the deadline.
    assert short.due_at - short.requested_at == timedelta(hours=2)
    assert short.remind_at == short.due_at


def test_the_department_is_reminded_before_and_at_its_deadline_each_once(
    case, alice, billing, django_capture_on_commit_callbacks
):
    request = _route(case, alice, billing, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    assert departments.department_reminders_claim() == []
    now = timezone.now()
    _shift(request, remind_at=now - timedelta(seconds=1), due_at=now + timedelta(hours=4))
    with django_capture_on_commit_callbacks(execute=False):
        assert departments.department_reminders_claim() == [request.pk]
    assert departments.department_reminders_claim() == []  # claimed: a second pass takes nothing
    assert departments.department_reminder(request_id=request.pk) is False  # a duplicate
    assert send_mails() == 1
    assert send_mails() == 0
    [before] = mail.outbox
    assert before.to == ["facturacion@aurora.example"]
    assert "Recordatorio" in before.subject  # the brand speaks Spanish
    assert _link(before)
    request.refresh_from_db()
    assert request.reminded_before_at is not None
    assert request.remind_at == request.due_at  # re-armed for the deadline

    _shift(request, due_at=now - timedelta(seconds=1), remind_at=now - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=False):
        assert departments.department_reminders_claim() == [request.pk]
    assert departments.department_reminder(request_id=request.pk) is False
    assert send_mails() == 1
    assert "vence ahora" in mail.outbox[-1].subject
    assert len(mail.outbox) == 2
    request.refresh_from_db()
    assert request.remind_at is None
    assert departments.department_reminders_claim(now=now + timedelta(days=9)) == []
    reminders = AuditEvent.objects.filter(action="department_reminded", case=case)
    assert sorted(e.after["when"] for e in reminders) == ["before", "due"]


def test_an_answered_request_is_never_reminded(
    case, alice, billing, django_capture_on_commit_callbacks
):
    request = _route(case, alice, billing, django_capture_on_commit_callbacks)
    departments.department_answer(request_id=request.pk, answer="Listo", by=alice)
    request.refresh_from_db()
    assert request.remind_at is None
    assert departments.department_reminders_claim(now=timezone.now() + timedelta(days=2)) == []
    mail.outbox.clear()
    assert departments.department_reminder(request_id=request.pk) is False
    assert mail.outbox == []


def test_a_reminder_whose_mail_raises_never_holds_back_the_rest_of_its_chunk(
    aurora, alice, billing, django_capture_on_commit_callbacks
):
    poisoned_department = Department.objects.create(
        brand=aurora, name="Legal", email="legal@aurora.example\nBcc: all@aurora.example"
    )
    requests = []
    for department in (poisoned_department, billing):
        case = case_with_comment(brand=aurora, level=Level.GREEN)
        workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)
        workflow.case_move(case_id=case.pk, actor=alice, action="start")
        with django_capture_on_commit_callbacks(execute=False):
            requests.append(
                departments.department_request(
                    case_id=case.pk,
                    actor=alice,
                    department_id=department.pk,
                    need="Revisar",
                    details=DETAILS,
                )
            )
    poisoned, ordinary = requests
    DepartmentRequest.objects.update(remind_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=False):
        assert departments.department_reminders_claim() == [poisoned.pk, ordinary.pk]
    mail.outbox.clear()
    assert send_mails() == 2  # the ordinary request and its reminder; the poisoned two wait
    assert {tuple(m.to) for m in mail.outbox} == {("facturacion@aurora.example",)}
    poisoned.refresh_from_db()
    assert poisoned.reminded_before_at is not None
    failing = Mail.objects.filter(to=[poisoned_department.email])
    assert failing.count() == 2
    assert all(m.sent_at is None and m.attempts == 1 for m in failing)
    assert all(m.last_error.startswith("BadHeaderError") for m in failing)
    assert all(m.next_attempt_at > timezone.now() for m in failing)


def test_the_case_page_says_who_it_waits_on_since_when_and_until_when(
    client, case, alice, billing, django_capture_on_commit_callbacks
):
    request = _route(case, alice, billing, django_capture_on_commit_callbacks)
    now = timezone.now()
    _shift(
        request, requested_at=now - timedelta(hours=3), due_at=now + timedelta(hours=21, minutes=1)
    )
    sign_in(client, "alice")
    with translation.override("en"):
        page = client.get(
            reverse("case-detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert "Waiting on Facturación for 3\xa0hours, due in 21\xa0hours" in page
    _shift(request, due_at=now - timedelta(hours=2, minutes=1))
    page = client.get(
        reverse("case-detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Waiting on Facturación for 3\xa0hours, overdue by 2\xa0hours" in page
