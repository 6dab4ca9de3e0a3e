"""A community manager answers a frequent question from the FAQ in a few clicks: she finds the
entry from the reply box, inserts it, makes it the customer's and sends it for approval."""

import re

import pytest
from playwright.sync_api import expect

from cases import workflow
from core.taxonomy import Category, Level
from replies.models import FaqEntry, FaqUse, Reply, ReplyStatus
from tests.e2e.test_live_queue import log_in
from tests.factories import case_with_comment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
QUESTION = "¿Cuánto tarda la devolución de una compra?"
ANSWER = (
    "Hola {customer_name}, lamentamos la espera. Las devoluciones de compras llegan a tu "
    "tarjeta en 5 a 10 días hábiles desde que el comercio las aprueba."
)
ADDED = " Tu devolución de la compra del lunes ya está aprobada: la verás antes del viernes."


def test_a_reply_is_drafted_from_a_faq_entry_edited_and_sent_for_approval(
    page, live_server, aurora, alice, sam
):
    FaqEntry.objects.create(
        brand=aurora, owner=sam, question=QUESTION, answer=ANSWER, tags=["reembolso"]
    )
    FaqEntry.objects.create(
        brand=aurora, owner=sam, question="¿Cómo bloqueo mi tarjeta?", answer="Desde la app."
    )
    case = case_with_comment(
        brand=aurora,
        level=Level.YELLOW,
        category=Category.PQR,
        comment__text="hace 2 semanas pedi la devolusion de mis compras y nada!! cuanto tardan??",
        author__display_name="Juana",
    )
    workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)

    log_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    box = page.locator("#faq-box")
    # The desk suggests the entry from what Juana wrote (misspelt, plural, no accents) ...
    expect(box.locator(".faq-suggestion").first).to_contain_text(QUESTION)
    # ... and the search field answers what alice types, without reloading the page.
    box.get_by_label("Buscar en la FAQ").fill("bloquear tarjeta")
    expect(box.locator(".faq-suggestion").first).to_contain_text("¿Cómo bloqueo mi tarjeta?")
    box.get_by_label("Buscar en la FAQ").fill("reembolsos")
    suggestion = box.locator(".faq-suggestion", has_text=QUESTION)
    suggestion.get_by_role("link", name="Usar esta respuesta").click()

    body = page.get_by_label("Tu respuesta")
    expect(body).to_have_value(re.compile(r"^Hola Juana, lamentamos la espera\. Las devoluciones"))
    expect(page.locator(".faq-chosen")).to_contain_text(QUESTION)
    body.press("Control+End")
    body.type(ADDED)
    page.get_by_role("button", name="Guardar borrador y revisar el tono").click()

    reply_card = page.locator("article.reply").last
    expect(reply_card.locator(".reply-body")).to_contain_text("antes del viernes")
    reread = reply_card.get_by_label("La releí y el tono es correcto")
    if reread.count():
        reread.check()
    reply_card.get_by_role("button", name="Enviar a aprobación").click()
    expect(page.locator("article.reply .status").last).to_have_text("Esperando aprobación")

    reply = Reply.objects.get(case=case)
    assert reply.status == ReplyStatus.PENDING_APPROVAL
    assert reply.body.endswith(ADDED.strip())
    assert reply.body != ANSWER.replace("{customer_name}", "Juana")
    use = FaqUse.objects.get()
    assert (use.entry.question, use.reply_id, use.used_by_id) == (QUESTION, reply.pk, alice.pk)
