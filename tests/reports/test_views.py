"""The overview page: who sees it, over which brands, and what it shows."""

import json

import pytest
from django.urls import reverse

from brands.access import SESSION_KEY
from tests.reports.helpers import posted

pytestmark = pytest.mark.django_db

URL = reverse("reports-overview")


def _figures(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="overview-data" type="application/json">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)["overview"]


def test_a_supervisor_sees_the_brands_figures_with_a_table_beside_each_chart(client, sam, facts):
    client.force_login(sam)
    response = client.get(URL)
    assert response.status_code == 200
    overview = _figures(response)
    assert overview["volume"]["summary"]["comments"] == 3
    assert overview["volume"]["summary"]["red"] == 1
    html = response.content.decode()
    for name in ("volume", "categories", "open", "clocks", "satisfaction"):
        assert f'id="chart-{name}"' in html
        assert f'id="table-{name}"' in html
    assert "<script>" not in html  # no inline script: the charts read json_script data
    assert reverse("reports-overview") in html  # the navigation links here


def test_the_committee_sees_it_and_a_community_manager_does_not(client, carla, alice, facts):
    client.force_login(carla)
    assert client.get(URL).status_code == 200
    client.force_login(alice)
    assert client.get(URL).status_code == 403
    assert f'href="{URL}"' not in client.get(reverse("cases")).content.decode()


def test_an_outsider_is_refused_and_a_stranger_sent_to_log_in(client, mallory):
    assert client.get(URL).status_code == 302
    client.force_login(mallory)
    assert client.get(URL).status_code == 403


def test_a_person_of_two_brands_sees_them_together_or_the_one_chosen(
    client, rosa, aurora, rapimenu, facts
):
    client.force_login(rosa)
    assert _figures(client.get(URL))["volume"]["summary"]["comments"] == 6
    session = client.session
    session[SESSION_KEY] = rapimenu.pk
    session.save()
    summary = _figures(client.get(URL))["volume"]["summary"]
    assert (summary["comments"], summary["yellow"]) == (3, 3)


def test_the_period_and_filters_narrow_the_figures(client, sam, facts):
    client.force_login(sam)
    day = posted(2).date().isoformat()
    overview = _figures(client.get(URL, {"since": day, "until": day}))
    assert overview["volume"]["buckets"] == [day]
    assert overview["volume"]["totals"] == [1]
    assert _figures(client.get(URL, {"level": "red"}))["volume"]["summary"]["comments"] == 1


def test_the_export_and_top_complaints_links_keep_the_period_and_filters(client, sam, facts):
    """They carried the filters as a Python dict's text, so every download was the last seven
    days of everything whatever the page showed."""
    client.force_login(sam)
    day = posted(2).date().isoformat()
    response = client.get(URL, {"since": day, "until": day})
    html = response.content.decode()
    query = f"since={day}&amp;until={day}"
    for name in ("reports-export-comments", "reports-export-cases", "reports-top-complaints"):
        assert f'href="{reverse(name)}?{query}"' in html
    export = client.get(f"{reverse('reports-export-comments')}?{query.replace('&amp;', '&')}")
    lines = b"".join(export.streaming_content).decode().splitlines()
    assert len(lines) - 1 == _figures(response)["volume"]["summary"]["comments"] == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "2026-03-10", "until": "2026-03-01"}, "The period ends before it starts."),
        ({"since": "2020-01-01", "until": "2026-01-01"}, "at most 400 days"),
        ({"since": "2026-01-01", "until": "2026-03-01", "bucket": "hour"}, "at most 31 days"),
        ({"since": "yesterday"}, "Enter a valid date."),
        ({"level": "purple"}, "Select a valid choice."),
    ],
)
def test_a_bad_filter_is_shown_beside_the_form(client, sam, params, message):
    client.force_login(sam)
    response = client.get(URL, params, headers={"accept-language": "en"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'id="overview-data"' not in response.content.decode()
