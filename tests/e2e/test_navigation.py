import pytest
from playwright.sync_api import expect

from tests.e2e.test_live_queue import log_in, open_from_menu

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_supervisors_top_bar_fits_one_line_of_a_laptop_screen(browser, live_server, sam):
    """Thirteen links in a row once wrapped into three lines and pushed "Log out" off a
    1,280-pixel screen; what a brand prepares and manages now sits in two menus."""
    context = browser.new_context(locale="es-ES", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        log_in(page, live_server.url, "sam")
        logout = page.get_by_role("button", name="Salir")
        expect(logout).to_be_visible()
        box = logout.bounding_box()
        assert box["x"] + box["width"] <= 1280
        header = page.locator("header.topbar").bounding_box()
        assert header["height"] < 60
        for link in page.locator("nav.mainnav > a").all():
            assert link.bounding_box()["height"] < 30  # one line, not a word per line
    finally:
        context.close()


def test_a_menu_opens_on_click_and_closes_on_escape_or_a_click_elsewhere(page, live_server, sam):
    log_in(page, live_server.url, "sam")
    team = page.get_by_role("link", name="Equipo")
    expect(team).to_be_hidden()

    page.locator("nav.mainnav summary", has_text="Gestión").click()
    expect(team).to_be_visible()
    page.keyboard.press("Escape")
    expect(team).to_be_hidden()

    page.locator("nav.mainnav summary", has_text="Gestión").click()
    expect(team).to_be_visible()
    page.locator("main").click(position={"x": 5, "y": 5})
    expect(team).to_be_hidden()

    open_from_menu(page, "Conocimiento", "FAQ")
    expect(page.locator("nav.mainnav summary", has_text="Conocimiento")).to_have_class("current")


def test_a_community_manager_sees_no_menu_of_pages_she_may_not_open(page, live_server, alice):
    log_in(page, live_server.url, "alice")
    expect(page.get_by_role("link", name="Cola en vivo")).to_be_visible()
    expect(page.locator("nav.mainnav summary", has_text="Gestión")).to_have_count(0)
