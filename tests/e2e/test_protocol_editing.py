"""sam edits his brand's protocol in the browser: the form as Chromium sends it, blank row and
all."""

import pytest
from playwright.sync_api import expect

from cases.models import AuditEvent
from replies import protocols
from replies.models import Protocol
from tests.e2e.test_live_queue import log_in, open_from_menu

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sam_fixes_an_unknown_placeholder_and_saves_the_protocol(page, live_server, sam, aurora):
    protocols.protocol_for(brand=aurora, category="insult", level="yellow")
    log_in(page, live_server.url, "sam")
    open_from_menu(page, "Conocimiento", "Protocolos")
    expect(page.get_by_role("heading", name="Protocolos")).to_be_visible()
    page.locator("tr", has_text="Insulto o ataque").filter(has_text="Amarillo").get_by_role(
        "link"
    ).click()

    template = page.locator("fieldset.template-form", has_text="Contacto sereno")
    template.get_by_label("Texto").fill("Hola {nombre}, te escribimos en privado.")
    page.get_by_label("Troll: monitorear, no alimentar").uncheck()
    page.get_by_role("button", name="Guardar el protocolo").click()
    expect(template).to_contain_text("Marcador desconocido {nombre}")

    template.get_by_label("Texto").fill("Hola {customer_name}, te escribimos en privado.")
    page.get_by_role("button", name="Guardar el protocolo").click()
    expect(page.locator(".messages")).to_contain_text("Protocolo guardado.")

    protocol = Protocol.objects.get(brand=aurora, category="insult", level="yellow")
    assert protocol.outcomes == ["solved", "intermediate"]
    assert protocol.templates.get(name="Contacto sereno").body == (
        "Hola {customer_name}, te escribimos en privado."
    )
    assert AuditEvent.objects.filter(action="protocol_changed", actor=sam).count() == 1
