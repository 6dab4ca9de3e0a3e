"""GET /api/v1/reports/top-complaints/: the top complaints as JSON, scoped like the page."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from comments.models import Comment
from reports import complaints, rollups
from tests.reports.test_complaints_views import APP, DOUBLE, LATE, _say

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/top-complaints/"


@pytest.fixture
def facts(aurora, rapimenu):
    for days_ago in (0, 1, 2):
        _say(aurora, DOUBLE, days_ago)
    _say(aurora, APP, 1)
    _say(aurora, APP, 8)
    _say(rapimenu, LATE, 1)
    rollups.rollups_rebuild(brand_ids=[aurora.pk, rapimenu.pk])


def as_person(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_a_supervisor_reads_the_subjects_of_their_brand(sam, facts):
    response = as_person(sam).get(URL, headers={"accept-language": "en"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"period", "rising_rule", "subjects"}
    assert body["rising_rule"] == {"factor": 2.0, "min_comments": 5, "min_authors": 3}
    double, app = body["subjects"]
    assert {key: double[key] for key in ("brand", "keys", "name", "label", "comments")} == {
        "brand": "aurora",
        "keys": ["~double_charge"],
        "name": None,
        "label": "double charge",
        "comments": 3,
    }
    assert (double["authors"], double["previous_comments"], double["trend"]) == (3, 0, "new")
    # Today is in the period: it runs, and is compared at its pace so far (above its count).
    assert body["period"]["running"] is True
    assert (app["comments"], app["previous_comments"], app["trend"]) == (1, 1, "up")
    # Late in the day the pace is barely above one, and the projection, rounded to a tenth,
    # reads 1.0; the change is computed before rounding.
    assert app["projected"] >= 1
    assert app["change"] > 0
    assert double["cases"]["resolved_share"] is None
    latest = Comment.objects.filter(text=DOUBLE).latest("posted_at")
    example = double["examples"][0]
    assert example["comment_id"] == latest.pk
    assert example["url"] == f"http://testserver{reverse('comment-detail', args=[latest.pk])}"
    assert example["text"] == DOUBLE


def test_a_name_a_supervisor_gave_is_in_the_answer(sam, aurora, facts):
    complaints.subject_name(actor=sam, brand_id=aurora.pk, key="~double_charge", name="Cobros")
    [double, _app] = as_person(sam).get(URL).json()["subjects"]
    assert (double["name"], double["label"]) == ("Cobros", "Cobros")
    assert isinstance(double["subject_id"], int)


def test_a_persons_token_reads_only_its_brand(rosa, rapimenu, facts):
    _, raw = ApiToken.issue(user=rosa, name="bi", brand=rapimenu)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert [s["keys"] for s in client.get(URL).json()["subjects"]] == [["~late_delivery"]]
    assert len(as_person(rosa).get(URL).json()["subjects"]) == 3


def test_a_rest_client_a_community_manager_and_an_outsider_are_refused(
    api, alice, mallory, anonymous_api, facts
):
    assert api.get(URL).status_code == 403
    assert as_person(alice).get(URL).status_code == 403
    assert as_person(mallory).get(URL).status_code == 403
    assert anonymous_api.get(URL).status_code == 401


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"since": "2026-02-30"}, "since", "Enter a valid date."),
        ({"since": "2026-03-10", "until": "2026-03-01"}, "until", "ends before it starts"),
        ({"since": "2020-01-01", "until": "2026-01-01"}, "since", "at most 400 days"),
        ({"platform": "myspace"}, "platform", "Select a valid choice."),
        ({"category": "other"}, "category", "Select a valid choice."),
        ({"level": "purple"}, "level", "Select a valid choice."),
        ({"limit": "0"}, "limit", "greater than or equal to 1"),
        ({"limit": "51"}, "limit", "less than or equal to 50"),
        ({"limit": "ten"}, "limit", "Enter a whole number."),
    ],
)
def test_a_bad_parameter_answers_400_with_the_field_and_the_reason(sam, params, field, message):
    response = as_person(sam).get(URL, params, headers={"accept-language": "en"})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert message in error["message"]


def test_the_limit_cuts_the_list(sam, facts):
    assert len(as_person(sam).get(URL, {"limit": 1}).json()["subjects"]) == 1


def test_the_schema_documents_the_top_complaints_and_their_filters(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    operation = schema["paths"][URL]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == {"since", "until", "platform", "category", "level", "limit"}
    assert parameters["category"]["schema"]["enum"] == ["high_level", "insult", "pqr"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TopComplaints"
    }
    assert set(operation["responses"]) >= {"200", "400", "401", "403"}
    components = schema["components"]["schemas"]
    subject = components["ComplaintSubject"]["properties"]
    assert subject["name"]["nullable"] is True
    assert subject["trend"] == {"$ref": "#/components/schemas/TrendEnum"}
    assert components["TrendEnum"]["enum"] == ["up", "down", "flat", "new"]


def test_the_query_count_does_not_grow_with_the_facts(sam, aurora, query_counts):
    client = as_person(sam)

    def grow(n: int) -> None:
        for _ in range(n):
            _say(aurora, DOUBLE, 1)
            _say(aurora, APP, 9)
        rollups.rollups_rebuild(brand_ids=[aurora.pk])

    few, many = query_counts(lambda: client.get(URL), grow)
    assert few == many
