"""A supervisor opens the overview, changes the period, and the chart and its table change
together."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.taxonomy import Level
from reports import rollups
from tests.e2e.test_live_queue import log_in, open_from_menu
from tests.reports.helpers import comment, posted

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

#: Where browser tests leave what a person may want to look at (git-ignored).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

CHART = """() => {
  const chart = Chart.getChart("chart-volume");
  return {
    labels: chart.data.labels,
    totals: chart.data.labels.map((_, n) =>
      chart.data.datasets.reduce((sum, dataset) => sum + dataset.data[n], 0)),
  };
}"""
TABLE = """() => Array.from(document.querySelectorAll("#table-volume tbody tr")).map(row => ({
  bucket: row.dataset.bucket,
  total: Number(row.querySelector("[data-total]").textContent),
}))"""


def _chart_and_table(page) -> tuple[dict, dict]:
    chart = page.evaluate(CHART)
    table = page.evaluate(TABLE)
    return chart, {
        "labels": [row["bucket"] for row in table],
        "totals": [row["total"] for row in table],
    }


def test_the_chart_and_its_table_follow_the_period_together(page, live_server, sam, aurora):
    comment(aurora, Level.RED, 1)
    comment(aurora, Level.GREEN, 1)
    comment(aurora, Level.YELLOW, 3)
    rollups.rollups_rebuild(brand_ids=[aurora.pk])

    log_in(page, live_server.url, "sam")
    open_from_menu(page, "Informes", "Indicadores")
    expect(page.locator("#chart-volume")).to_be_visible()
    chart, table = _chart_and_table(page)
    assert chart == table
    assert len(chart["labels"]) == 7
    assert sum(chart["totals"]) == 3

    day = posted(1).date().isoformat()
    page.locator("input[name=since]").fill(day)
    page.locator("input[name=until]").fill(day)
    page.locator("#report-filters button").click()
    expect(page.locator("#table-volume tbody tr")).to_have_count(1)
    chart, table = _chart_and_table(page)
    assert chart == table == {"labels": [day], "totals": [2]}
    expect(page.locator("[data-figure=red-share]")).to_contain_text("50")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reports-overview.png"), full_page=True)
