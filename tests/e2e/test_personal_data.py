"""In the browser: a comment with a phone and an e-mail arrives in the live queue (htmx polling)
masked for the crisis committee, and in full for the community manager who answers it."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_live_queue import log_in, push
from tests.factories import GREEN_TEXT, comment_item

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEXT = (
    "Me cobraron dos veces, escríbanme a ana.perez@gmail.com o al 300 123 4567, pedido 3001234567"
)


def test_the_live_queue_masks_personal_data_for_the_committee_only(
    browser, live_server, alice, carla, listener_token
):
    push(live_server.url, listener_token, [comment_item(text=GREEN_TEXT)])
    pages = {}
    for username in ("carla", "alice"):
        context = browser.new_context(locale="es-ES", viewport={"width": 1400, "height": 900})
        pages[username] = context.new_page()
        log_in(pages[username], live_server.url, username)
        expect(pages[username].locator("table.queue tbody tr")).to_have_count(1)

    push(live_server.url, listener_token, [comment_item(text=TEXT, external_id="pii-1")])

    committee = pages["carla"].locator('tr[data-external-id="pii-1"] td.text')
    expect(committee).to_be_visible(timeout=15_000)
    expect(committee).to_contain_text("an***@gm***.com o al ***4567, pedido 3001234567")
    expect(committee).not_to_contain_text("ana.perez@gmail.com")
    worker = pages["alice"].locator('tr[data-external-id="pii-1"] td.text')
    expect(worker).to_contain_text("ana.perez@gmail.com o al 300 123 4567")
    for page in pages.values():
        page.context.close()
