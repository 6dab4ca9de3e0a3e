import pytest
from playwright.sync_api import expect

from tests.e2e.test_live_queue import log_in, open_from_menu

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_classifier_figures_line_up_under_their_headings(page, live_server, sam):
    """The table once shared a class with the crisis room's figures, laid out as a flex row:
    its headings sat in one column and its rows in another."""
    log_in(page, live_server.url, "sam")
    open_from_menu(page, "Gestión", "Clasificador")
    table = page.locator("table.figures")
    expect(table.locator("#figure-red_recall")).to_be_visible()
    heading = table.get_by_role("columnheader", name="Valor").bounding_box()
    for row in table.locator("tbody tr").all():
        value = row.locator("td").first.bounding_box()
        assert abs(value["x"] - heading["x"]) < 2
        assert value["y"] > heading["y"]
