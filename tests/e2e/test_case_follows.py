"""A case follows its comment in the browser: a green question turns red by a person's
correction while the case is open, and the case page changes its deadline and asks for a
supervisor's approval, without anyone touching the case itself."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests.e2e.test_live_queue import log_in, push
from tests.factories import GREEN_TEXT, comment_item

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_comment_corrected_to_red_changes_its_open_cases_deadline_and_approval(
    page, live_server, alice, listener_token
):
    push(live_server.url, listener_token, [comment_item(text=GREEN_TEXT, external_id="q-1")])
    log_in(page, live_server.url, "alice")
    page.get_by_role("button", name="Tomar el siguiente caso").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    case_url = page.url
    response_clock = page.locator(".pagehead + p .clock-response")
    expect(response_clock).to_contain_text("Primera respuesta en 7 horas")
    expect(page.get_by_text("Las respuestas a este caso no necesitan aprobación.")).to_be_visible()

    page.locator("ol.case-comments a").first.click()
    page.locator("#id_category").select_option("high_level")
    page.locator("#id_level").select_option("red")
    page.get_by_role("button", name="Guardar corrección").click()
    expect(page.locator(".messages")).to_be_visible()

    page.goto(case_url)
    expect(page.locator(".pagehead")).to_contain_text("Rojo")
    expect(response_clock).to_contain_text(re.compile(r"Primera respuesta en 1[45]\s+minutos"))
    expect(
        page.get_by_text("Las respuestas a este caso necesitan la aprobación de un supervisor.")
    ).to_be_visible()
    case = Case.objects.get()
    assert (case.category, case.level) == ("high_level", "red")
