"""A supervisor opens the top complaints from the navigation, names a subject, and reads the
name in the table; merging two leaves one row."""

import pytest
from playwright.sync_api import expect

from reports import rollups
from tests.e2e.test_live_queue import log_in, open_from_menu
from tests.e2e.test_reports_overview import ARTIFACTS
from tests.reports.test_complaints_views import APP, DOUBLE, _say

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_names_a_subject_and_sees_the_name(page, live_server, sam, aurora):
    for days_ago in (0, 1, 1, 2, 3):
        _say(aurora, DOUBLE, days_ago)
    _say(aurora, APP, 2)
    rollups.rollups_rebuild(brand_ids=[aurora.pk])

    log_in(page, live_server.url, "sam")
    open_from_menu(page, "Informes", "Quejas más frecuentes")
    expect(page.get_by_role("heading", name="Quejas más frecuentes")).to_be_visible()
    double = page.locator("tr[data-subject='~double_charge']")
    expect(double.locator("[data-label]")).to_have_text("cobro doble")
    expect(double.locator("[data-comments]")).to_have_text("5")
    expect(double.locator("[data-rising]")).to_be_visible()
    expect(double.locator("td.examples li")).to_have_count(3)

    double.locator("input[name=name]").fill("Cobros duplicados")
    double.get_by_role("button", name="Guardar").click()
    expect(page.locator(".messages")).to_contain_text("vale también para los periodos siguientes")
    expect(double.locator("[data-label]")).to_have_text("Cobros duplicados")
    expect(double.locator("input[name=name]")).to_have_value("Cobros duplicados")

    page.locator("tr[data-subject='~app_down'] input[name=pick]").check()
    double.locator("input[name=pick]").check()
    page.get_by_role("button", name="Unir los temas marcados").click()
    merged = page.locator("tr[data-subject='~app_down|~double_charge']")
    expect(merged.locator("[data-label]")).to_have_text("Cobros duplicados")
    expect(merged.locator("[data-comments]")).to_have_text("6")
    expect(page.locator("#table-complaints tbody tr")).to_have_count(1)

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reports-top-complaints.png"), full_page=True)
