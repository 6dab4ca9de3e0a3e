"""A case follows its comment in the browser: a green question turns red by a person's
correction while the case is open, and the case page changes its deadline and asks for a
supervisor's approval, without anyone touching the case itself. The supervisor then reads the
reply's edits as a diff before approving it."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests.e2e.test_live_queue import log_in, push
from tests.factories import GREEN_TEXT, comment_item

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


FIRST_DRAFT = "Hola, revisamos el horario de la sucursal del centro y te contamos hoy."
SECOND_DRAFT = (
    "Hola, revisamos el horario de la sucursal del centro: el domingo abre de 10 a 14. "
    "Te escribimos hoy en privado para confirmarlo."
)


def test_a_comment_corrected_to_red_changes_its_open_cases_deadline_and_approval(
    page, browser, live_server, alice, sam, listener_token
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

    # alice drafts and sends it on; it now waits for a supervisor.
    page.get_by_role("button", name="Empezar a trabajar").click()
    page.get_by_label("Tu respuesta").fill(FIRST_DRAFT)
    page.get_by_role("button", name="Guardar borrador y revisar el tono").click()
    reply = page.locator("article.reply").last
    confirm = reply.get_by_label("La releí y el tono es correcto")
    if confirm.count():
        confirm.check()
    reply.get_by_role("button", name="Enviar a aprobación").click()
    expect(page.locator("article.reply .status").last).to_have_text("Esperando aprobación")

    # sam rewrites it as he approves, and the case keeps both: his change reads as a diff.
    context = browser.new_context(locale="es-ES", viewport={"width": 1400, "height": 900})
    try:
        sam_page = context.new_page()
        log_in(sam_page, live_server.url, "sam")
        sam_page.get_by_role("link", name="Aprobaciones").click()
        card = sam_page.locator("section.approval", has_text=f"Caso #{case.pk}")
        card.get_by_label("Respuesta").fill(SECOND_DRAFT)
        card.get_by_role("button", name="Aprobar").click()
        expect(sam_page.locator(".messages")).to_contain_text("Aprobada")
        sam_page.goto(case_url)
        history = sam_page.locator("article.reply details.reply-history")
        history.locator("summary").click()
        diff = history.locator("li.version").last.locator("blockquote.diff")
        expect(diff.locator("ins").first).to_be_visible()
        expect(diff).to_contain_text("domingo")
        expect(diff.locator("del").first).to_contain_text("contamos")
    finally:
        context.close()
