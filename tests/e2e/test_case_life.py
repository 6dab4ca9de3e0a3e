"""One case lived from arrival to the customer's satisfied answer, in the browser, by the
people who do it: alice (community manager) and sam (supervisor), then the customer."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from cases.followups import SATISFACTION_LINK
from cases.models import Case, CaseStatus
from replies.models import Reply, ReplyStatus
from tests.e2e.test_live_queue import log_in, push
from tests.factories import comment_item

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
COMPLAINT = "pinche banco de mierda, me cobraron dos veces y nadie responde!!!"
#: The template made hers: shortened, and naming what Juana wrote about (the double charge).
SHORT_REPLY = "Hola Juana, ya vimos los dos cobros y te escribimos en privado para resolverlo hoy."
APOLOGY = "Lamentamos mucho la molestia. "


def _new_page(browser):
    context = browser.new_context(locale="es-ES", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_a_yellow_complaint_lives_from_arrival_to_a_satisfied_close(
    page, browser, live_server, alice, sam, listener_token, tmp_path
):
    push(
        live_server.url,
        listener_token,
        [comment_item(text=COMPLAINT, external_id="life-1", author_display_name="Juana")],
    )

    # alice takes the most urgent case and starts it.
    log_in(page, live_server.url, "alice")
    page.get_by_role("button", name="Tomar el siguiente caso").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    case_id = int(re.search(r"/cases/(\d+)/$", page.url).group(1))
    case_url = page.url
    expect(page.locator(".pagehead .status")).to_have_text("Asignado")
    expect(page.locator(".pagehead")).to_contain_text("Amarillo")
    page.get_by_role("button", name="Empezar a trabajar").click()
    expect(page.locator(".pagehead .status")).to_have_text("En curso")

    # She starts from the protocol's template, shortens it, and the tone check speaks up.
    page.get_by_label("Partir de una plantilla").select_option(label="Disculpa y solución (ES)")
    page.get_by_role("button", name="Usar", exact=True).click()
    body = page.get_by_label("Tu respuesta")
    expect(body).to_have_value(re.compile(rf"Hola Juana, lamentamos mucho .* #{case_id} "))
    body.fill(SHORT_REPLY)
    page.get_by_role("button", name="Guardar borrador y revisar el tono").click()
    reply = page.locator("article.reply").last
    expect(reply.get_by_label("Avisos de tono")).to_contain_text(
        "Sin disculpa a un cliente que se queja"
    )
    reply.get_by_label("La releí y el tono es correcto").check()
    reply.get_by_role("button", name="Enviar a aprobación").click()
    expect(page.locator("article.reply .status").last).to_have_text("Esperando aprobación")

    # sam, in his own browser, adds the apology and approves it.
    sam_context, sam_page = _new_page(browser)
    try:
        log_in(sam_page, live_server.url, "sam")
        sam_page.get_by_role("link", name="Aprobaciones").click()
        expect(sam_page.get_by_role("heading", name="Respuestas por aprobar")).to_be_visible()
        card = sam_page.locator("section.approval", has_text=f"Caso #{case_id}")
        card.get_by_label("Respuesta").fill(APOLOGY + SHORT_REPLY)
        card.get_by_role("button", name="Aprobar").click()
        expect(sam_page.locator(".messages")).to_contain_text("Aprobada, lista para publicar")
        expect(sam_page.locator("section.approval")).to_have_count(0)
    finally:
        sam_context.close()

    # alice sends it by hand and resolves the case.
    page.goto(case_url)
    approved = page.locator("article.reply").last
    expect(approved.locator(".status")).to_have_text("Aprobada, lista para publicar")
    expect(approved.locator("blockquote.reply-body")).to_contain_text(
        "Lamentamos mucho la molestia."
    )
    # What sam changed stays in the reply's history, marked as his.
    expect(approved.locator(".reply-history .version-approver_changed ins")).to_contain_text(
        "Lamentamos mucho la molestia."
    )
    approved.get_by_role("button", name="La envié a mano").click()
    expect(page.locator("article.reply .status").last).to_have_text("Enviada a mano")
    resolve = page.locator("form.action-resolve")
    resolve.get_by_label("Cómo termina").select_option(
        label="Fue culpa nuestra: resuelto por completo"
    )
    resolve.get_by_role("button", name="Resolver").click()
    expect(page.locator(".pagehead .status")).to_have_text("Resuelto")

    # The customer answers the follow-up's satisfaction link, with no login.
    case = Case.objects.get(pk=case_id)
    follow_up = case.follow_ups.order_by("number").first()
    link = SATISFACTION_LINK.url(follow_up.pk).replace(settings.SEMAFORO_BASE_URL, live_server.url)
    customer_context, customer_page = _new_page(browser)
    try:
        customer_page.goto(link)
        expect(
            customer_page.get_by_role("heading", name=re.compile("Banco Aurora"))
        ).to_be_visible()
        customer_page.get_by_label("Sí, está resuelto").check()
        customer_page.get_by_role("button", name="Enviar").click()
        expect(customer_page.get_by_role("heading", name="Gracias")).to_be_visible()
    finally:
        customer_context.close()

    # alice sees the case closed, the customer satisfied.
    page.goto(case_url)
    expect(page.locator(".pagehead .status")).to_have_text("Cerrado")
    expect(page.locator("p.muted").first).to_contain_text("cliente satisfecho")
    page.screenshot(path=str(tmp_path / "case-life.png"), full_page=True)

    case.refresh_from_db()
    assert (case.status, case.outcome, case.satisfied) == (CaseStatus.CLOSED, "solved", True)
    [final] = Reply.objects.filter(case=case)
    assert final.status == ReplyStatus.SENT_BY_HAND
    assert (final.author, final.reviewed_by, final.published_by) == (alice, sam, alice)
    assert final.body == APOLOGY + SHORT_REPLY
    assert list(case.audit_events.values_list("action", flat=True)) == [
        "case_opened",
        "case_assigned",
        "case_start",
        "reply_drafted",
        "reply_submitted",
        "reply_approved",
        "reply_published",
        "first_response",
        "case_resolve",
        "follow_up_answered",
    ]
