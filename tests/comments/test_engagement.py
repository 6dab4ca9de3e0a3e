"""Engagement updates: counts that grow, a level and a case that follow, a red that escalates."""

import pytest

from cases.models import Case
from comments.models import Author, Comment
from core.taxonomy import Level
from crisis.models import Escalation
from tests.factories import CLAIM_TEXT, GREEN_TEXT, comment_item

pytestmark = pytest.mark.django_db

BATCH = "/api/v1/comments/metrics/"


def one(platform: str, external_id: str) -> str:
    return f"/api/v1/comments/{platform}/{external_id}/metrics/"


@pytest.fixture
def claim(ingest):
    """A yellow-or-green claim, below every reach threshold."""
    item = comment_item(text=CLAIM_TEXT, external_id="fb-claim-1", platform="facebook")
    [result] = ingest([item])
    assert result.level != Level.RED
    return Comment.objects.get(pk=result.id)


def test_a_metrics_patch_turns_a_comment_and_its_case_red_and_escalates(api, claim):
    case_deadline = claim.case.response_due_at

    response = api.patch(one("facebook", "fb-claim-1"), {"likes": 6000}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["found"], body["changed"], body["level"], body["likes"]) == (
        True,
        True,
        Level.RED,
        6000,
    )
    claim.refresh_from_db()
    assert (claim.level, claim.likes) == (Level.RED, 6000)
    assert any(reason["signal"] == "reach" for reason in claim.reasons)
    case = Case.objects.get(pk=claim.case_id)
    assert case.level == Level.RED
    assert case.response_due_at < case_deadline
    assert Escalation.objects.filter(comment=claim).exists()
    assert claim.text == CLAIM_TEXT, "the text was not resent and is unchanged"


def test_late_lower_counts_are_ignored(api, claim):
    api.patch(one("facebook", "fb-claim-1"), {"likes": 6000, "shares": 40}, format="json")
    late = api.patch(one("facebook", "fb-claim-1"), {"likes": 10, "shares": 2}, format="json")
    assert late.status_code == 200
    body = late.json()
    assert (body["likes"], body["shares"], body["changed"]) == (6000, 40, False)
    claim.refresh_from_db()
    assert (claim.likes, claim.shares, claim.level) == (6000, 40, Level.RED)


def test_follower_counts_grow_the_comment_and_the_customer(api, claim):
    response = api.patch(
        one("facebook", "fb-claim-1"), {"author_followers": 250_000}, format="json"
    )
    assert response.json()["level"] == Level.RED
    assert Author.objects.get(pk=claim.author_id).followers == 250_000


def test_the_batched_form_applies_each_and_names_the_unknown(api, claim, ingest):
    [green] = ingest([comment_item(text=GREEN_TEXT, external_id="tw-9")])
    response = api.post(
        BATCH,
        [
            {"platform": "facebook", "external_id": "fb-claim-1", "shares": 5000},
            {"platform": "twitter", "external_id": "missing", "likes": 3},
            {"platform": "twitter", "external_id": "tw-9", "likes": 7},
        ],
        format="json",
    )
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [(r["index"], r["found"]) for r in results] == [(0, True), (1, False), (2, True)]
    assert results[0]["level"] == Level.RED
    assert Comment.objects.get(pk=green.id).likes == 7
    patched = api.patch(
        BATCH, [{"platform": "twitter", "external_id": "tw-9", "likes": 8}], format="json"
    )
    assert patched.json()["results"][0]["likes"] == 8


def test_an_unknown_comment_answers_404(api, claim):
    response = api.patch(one("facebook", "nope"), {"likes": 1}, format="json")
    assert response.status_code == 404
    assert "errors" in response.json()


def test_another_brands_comment_is_not_found(rapi_api, claim):
    response = rapi_api.patch(one("facebook", "fb-claim-1"), {"likes": 9000}, format="json")
    assert response.status_code == 404
    claim.refresh_from_db()
    assert claim.likes == 0


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"likes": -1}, "likes", "must be zero or more"),
        ({"likes": "12"}, "likes", "must be an integer"),
        ({"views": 3}, "views", "unknown field"),
        ({}, None, "must report at least one of likes, shares, author_followers"),
    ],
)
def test_bad_counts_answer_400_naming_the_field(api, claim, body, field, message):
    response = api.patch(one("facebook", "fb-claim-1"), body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": field, "message": message}]


def test_a_bad_item_of_a_batch_is_named_by_index_and_nothing_is_written(api, claim):
    response = api.post(
        BATCH,
        [
            {"platform": "facebook", "external_id": "fb-claim-1", "likes": 9000},
            {"platform": "myspace", "external_id": "x", "likes": 1},
        ],
        format="json",
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["index"], error["field"]) == (1, "platform")
    claim.refresh_from_db()
    assert claim.likes == 0


def test_a_relay_token_cannot_report_engagement(claim):
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from accounts.models import ApiToken
    from brands.grants import grant_role
    from brands.roles import Role

    user = get_user_model().objects.create_user(username="api:relay")
    grant_role(user, Role.API_CLIENT)
    _, raw = ApiToken.issue(user=user, name="relay")
    relay = APIClient()
    relay.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    response = relay.patch(one("facebook", "fb-claim-1"), {"likes": 1}, format="json")
    assert response.status_code == 403
