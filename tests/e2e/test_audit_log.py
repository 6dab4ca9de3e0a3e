"""A supervisor opens the audit log from the menu, narrows it to one action, and downloads the
rows the page shows."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases.notes import case_note_add
from cases.workflow import case_assign
from tests.e2e.test_live_queue import log_in, open_from_menu
from tests.e2e.test_reports_overview import ARTIFACTS
from tests.factories import case_with_comment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sam_reads_who_did_what_and_downloads_it(page, live_server, sam, alice, aurora):
    case = case_with_comment(brand=aurora)
    case_assign(case_id=case.pk, actor=sam, assignee=alice)
    case_note_add(case_id=case.pk, actor=alice, text="Llamó al banco")

    log_in(page, live_server.url, "sam")
    open_from_menu(page, "Gestión", "Registro de auditoría")
    expect(page.get_by_role("heading", name="Registro de auditoría")).to_be_visible()
    rows = page.locator("#audit-events tbody tr")
    expect(rows.first).to_have_attribute("data-action", "note_added")
    expect(rows.first).to_contain_text("alice")

    page.get_by_label("Acción").select_option("case_assigned")
    page.get_by_role("button", name="Mostrar").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("sam")
    expect(rows.first.locator(f"a[href='/cases/{case.pk}/']")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "reports-audit.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar en CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    lines = list(csv.DictReader(io.StringIO(text)))
    assert [line["action"] for line in lines] == ["case_assigned"]
