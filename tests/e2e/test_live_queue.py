import json
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.factories import GREEN_TEXT, RED_TEXT, comment_item

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def push(base_url: str, token: str, items) -> None:
    request = urllib.request.Request(
        f"{base_url}/api/v1/comments/",
        data=json.dumps(items).encode(),
        method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()


def open_from_menu(page, menu: str, link: str) -> None:
    """Follow a link kept in one of the top bar's menus, opening the menu first as a person does."""
    page.locator("nav.mainnav summary", has_text=menu).click()
    page.get_by_role("link", name=link).click()


def test_a_red_pushed_through_the_api_appears_in_the_open_queue_without_reload(
    page, live_server, alice, listener_token, tmp_path
):
    push(live_server.url, listener_token, [comment_item(text=GREEN_TEXT)])
    log_in(page, live_server.url, "alice")
    expect(page.get_by_role("heading", name="Cola en vivo")).to_be_visible()
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(1)
    page.evaluate("window.__notReloaded = true")

    red = comment_item(text=RED_TEXT, external_id="live-red-1")
    push(live_server.url, listener_token, [red])

    new_row = page.locator('tr[data-external-id="live-red-1"]')
    expect(new_row).to_be_visible(timeout=15_000)
    expect(new_row.locator(".badge")).to_contain_text("Rojo")
    expect(new_row).to_contain_text("PROFECO")
    expect(rows.first).to_have_attribute("data-external-id", "live-red-1")
    assert page.evaluate("window.__notReloaded") is True
    page.screenshot(path=str(tmp_path / "queue.png"), full_page=True)
