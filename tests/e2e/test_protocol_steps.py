"""Protocol steps in the browser: sam gives a step to a department and adds one of his own;
alice ticks the steps off on her case, takes a tick back, and resolves with an approved
intermediate solution."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases import workflow
from cases.models import Case, Department
from core.taxonomy import Category, Level
from replies import protocols
from replies.models import CaseStep, StepOwner
from tests.e2e.test_live_queue import log_in, open_from_menu
from tests.factories import case_with_comment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sam_assigns_steps_and_alice_ticks_them_off_on_her_case(
    page, browser, live_server, alice, sam, aurora
):
    billing = Department.objects.create(brand=aurora, name="Facturación", email="b@a.example")
    protocol = protocols.protocol_for(brand=aurora, category="pqr", level="green")

    log_in(page, live_server.url, "sam")
    open_from_menu(page, "Conocimiento", "Protocolos")
    page.locator("tr", has_text="Pregunta, queja o reclamo").filter(has_text="Verde").get_by_role(
        "link"
    ).click()
    rows = page.locator("li.step-form")
    expect(rows).to_have_count(5)  # four steps and a blank row to add one
    third = rows.nth(2)
    third.get_by_label("o el área").select_option(label="Facturación")
    third.get_by_label("Hecho dentro de").fill("180")
    blank = rows.nth(4)
    blank.get_by_label("Paso").fill("Confirma con el cliente que recibió el reembolso.")
    blank.locator("select[name$='-owner_role']").select_option(label="Supervisor")
    page.get_by_role("button", name="Guardar el protocolo").click()
    expect(page.locator(".messages")).to_contain_text("Protocolo guardado.")
    steps = list(protocol.step_rows.order_by("position"))
    assert (steps[2].owner_department, steps[2].expected_minutes) == (billing, 180)
    assert (steps[4].text, steps[4].owner_role) == (
        "Confirma con el cliente que recibió el reembolso.",
        StepOwner.SUPERVISOR,
    )
    page.context.clear_cookies()

    case = case_with_comment(brand=aurora, category=Category.PQR, level=Level.GREEN)
    workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)
    workflow.case_move(case_id=case.pk, actor=alice, action="start")
    log_in(page, live_server.url, "alice")
    page.goto(live_server.url + reverse("case-detail", args=[case.pk]))
    listed = page.locator("li.protocol-step")
    expect(listed).to_have_count(5)
    expect(listed.nth(2)).to_contain_text("Facturación")
    listed.nth(0).get_by_role("button", name="Marcar como hecho").click()
    expect(page.locator(".messages")).to_contain_text("Paso hecho.")
    expect(listed.nth(0)).to_contain_text("hecho por alice")
    listed.nth(1).get_by_role("button", name="Marcar como hecho").click()
    listed.nth(1).get_by_role("button", name="Deshacer").click()
    expect(page.locator(".messages")).to_contain_text("Paso marcado como no hecho.")
    expect(listed.nth(1).get_by_role("button", name="Marcar como hecho")).to_be_visible()
    assert list(CaseStep.objects.filter(case=case).values_list("position", flat=True)) == [0]

    resolve = page.locator("form.action-resolve")
    resolve.get_by_label("Cómo termina").select_option(value="intermediate")
    resolve.locator("select[name=intermediate_solution]").select_option(label="Reembolso parcial")
    resolve.get_by_role("button", name="Resolver").click()
    expect(page.locator(".pagehead + p")).to_contain_text("Reembolso parcial")
    case = Case.objects.get(pk=case.pk)
    assert (case.outcome, case.intermediate_solution) == ("intermediate", "Reembolso parcial")
