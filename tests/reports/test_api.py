"""GET /api/v1/reports/overview/: the overview's figures as JSON, scoped like the page."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from reports import rollups
from tests.factories import CaseFactory
from tests.reports.helpers import comment, posted

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/overview/"


def as_person(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_a_supervisor_reads_the_figures_of_their_brand(sam, facts):
    response = as_person(sam).get(URL, {"bucket": "week"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {
        "period",
        "volume",
        "open_cases",
        "clocks",
        "satisfaction",
        "people",
        "departments",
        "steps",
        "step_owners",
        "outcomes",
        "corrections",
        "trolls",
        "crises",
    }
    assert body["period"]["bucket"] == "week"
    assert body["volume"]["summary"]["comments"] == 3
    assert body["clocks"]["levels"]["red"]["response"] == {"median": None, "p90": None}


def test_a_persons_token_reads_only_its_brand(rosa, aurora, rapimenu, facts):
    _, raw = ApiToken.issue(user=rosa, name="bi", brand=rapimenu)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.get(URL).json()["volume"]["summary"]["yellow"] == 3
    assert as_person(rosa).get(URL).json()["volume"]["summary"]["comments"] == 6


def test_a_rest_client_a_community_manager_and_an_outsider_are_refused(
    api, alice, mallory, anonymous_api, facts
):
    assert api.get(URL).status_code == 403
    assert as_person(alice).get(URL).status_code == 403
    assert as_person(mallory).get(URL).status_code == 403
    assert anonymous_api.get(URL).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2026-02-30"}, "since"),
        ({"since": "2026-03-10", "until": "2026-03-01"}, "until"),
        ({"bucket": "minute"}, "bucket"),
        ({"platform": "myspace"}, "platform"),
    ],
)
def test_a_bad_filter_answers_400_naming_it(sam, params, field):
    response = as_person(sam).get(URL, params)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert error["message"]


def test_the_day_asked_is_the_bucket_given(sam, facts):
    day = posted(1).date().isoformat()
    volume = as_person(sam).get(URL, {"since": day, "until": day}).json()["volume"]
    assert volume["buckets"] == [day]
    assert volume["levels"]["red"] == [1]


def test_the_schema_documents_the_overview_and_its_filters(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    operation = schema["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"since", "until", "bucket", "level"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Overview"
    }
    clock = schema["components"]["schemas"]["Clock"]["properties"]
    assert clock["response_compliance"]["nullable"] is True


def test_the_overviews_query_count_does_not_grow_with_the_facts(sam, aurora, query_counts):
    client = as_person(sam)

    def grow(n: int) -> None:
        for _ in range(n):
            comment(aurora)
            CaseFactory(brand=aurora, opened_at=posted(1), assignee=sam)
        rollups.rollups_rebuild(brand_ids=[aurora.pk])

    few, many = query_counts(lambda: client.get(URL), grow)
    assert few == many
