import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from comments.models import Comment
from tests.factories import GREEN_TEXT, RED_TEXT, comment_item

pytestmark = pytest.mark.django_db
URL = "/api/v1/comments/"


def post(client, body, **extra):
    return client.post(URL, data=json.dumps(body), content_type="application/json", **extra)


def test_push_one_item_answers_201_with_the_decision(api):
    response = post(api, comment_item(text=RED_TEXT, external_id="1789"))
    assert response.status_code == 201
    [result] = response.json()["results"]
    assert result["index"] == 0
    assert result["external_id"] == "1789"
    assert result["created"] is True
    assert (result["category"], result["level"]) == ("high_level", "red")
    assert 0 <= result["confidence"] <= 1
    assert all(set(r) == {"signal", "evidence"} for r in result["reasons"])


def test_push_a_list_keeps_the_order_and_a_repeat_answers_200(api):
    items = [comment_item(text=GREEN_TEXT), comment_item(text=RED_TEXT), comment_item()]
    first = post(api, items)
    assert first.status_code == 201
    assert [r["index"] for r in first.json()["results"]] == [0, 1, 2]
    again = post(api, items)
    assert again.status_code == 200
    assert [r["id"] for r in again.json()["results"]] == [r["id"] for r in first.json()["results"]]
    assert Comment.objects.count() == 3


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"colour": "red"}, "colour", "unknown field"),
        ({"likes": -1}, "likes", "must be zero or more"),
        ({"likes": "12"}, "likes", "must be an integer"),
        ({"shares": True}, "shares", "must be an integer"),
        ({"author_followers": 1.5}, "author_followers", "must be an integer"),
        ({"text": ""}, "text", "must not be empty"),
        ({"text": "   \n "}, "text", "must not be empty"),
        ({"text": "x" * 10_001}, "text", "at most 10000 characters"),
        ({"text": 42}, "text", "must be a string"),
        ({"posted_at": "yesterday"}, "posted_at", "ISO 8601"),
        ({"posted_at": "2026-11-23T10:00:00"}, "posted_at", "time zone"),
        ({"platform": "myspace"}, "platform", "must be one of"),
        ({"platform": {}}, "platform", "must be one of"),
        ({"platform": ["twitter"]}, "platform", "must be one of"),
        ({"url": "not a url"}, "url", "valid http(s) URL"),
        ({"lang": "spanish!"}, "lang", "language code"),
        ({"external_id": "x" * 256}, "external_id", "at most 255"),
        # Timestamps: 1970 to a day after now; a BC date was stored and broke the brand's
        # queue, a year-9999 one crashed intake.
        ({"posted_at": "0001-01-01T00:00:00+14:00"}, "posted_at", "on or after 1970-01-01"),
        ({"posted_at": "9999-12-31T23:59:59-23:59"}, "posted_at", "no later than one day"),
        ({"posted_at": "9999-12-31T23:59:59Z"}, "posted_at", "no later than one day"),
        ({"posted_at": "1969-12-31T23:59:59Z"}, "posted_at", "on or after 1970-01-01"),
        ({"posted_at": 1_700_000_000}, "posted_at", "ISO 8601"),
        ({"posted_at": "1700000000"}, "posted_at", "ISO 8601"),
        # Counts: non-negative integers that fit the column.
        ({"likes": 2**63}, "likes", "must be at most 9223372036854775807"),
        ({"author_followers": 2**64 - 1}, "author_followers", "must be at most"),
        ({"author_followers": 10**30}, "author_followers", "must be an integer"),  # a float to JSON
        ({"shares": 1.0}, "shares", "must be an integer"),
        ({"likes": [1]}, "likes", "must be an integer"),
        # No control characters in identifiers; no NUL anywhere (a database error, an HTML 500).
        ({"external_id": "t-1\x00"}, "external_id", "control characters"),
        ({"author_handle": "@ana\nBcc: x@example.com"}, "author_handle", "control characters"),
        ({"author_display_name": "Ana\x00"}, "author_display_name", "control characters"),
        ({"author_display_name": "Ana\u2028Bcc"}, "author_display_name", "control characters"),
        ({"account": "@BancoAurora\r"}, "account", "control characters"),
        ({"in_reply_to": "t-\x1b[31m"}, "in_reply_to", "control characters"),
        ({"url": "https://x.example/\x00"}, "url", "control characters"),
        ({"lang": "es\x00"}, "lang", "control characters"),
        ({"text": "hola\x00mundo"}, "text", "NUL"),
        # Wrong JSON types anywhere, nulls included (leave a field out instead).
        ({"external_id": ["t-1"]}, "external_id", "must be a string"),
        ({"author_handle": {}}, "author_handle", "must be a string"),
        ({"text": None}, "text", "must be a string"),
        ({"platform": None}, "platform", "must be one of"),
        ({"likes": None}, "likes", "must be an integer"),
        ({"url": None}, "url", "must be a string"),
        ({"posted_at": None}, "posted_at", "ISO 8601"),
        ({"lang": "es-ABCDEFGH"}, "lang", "at most 8"),
    ],
)
def test_bad_field_answers_400_naming_index_field_and_reason(api, change, field, message):
    response = post(api, [comment_item(), comment_item(**change)])
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["index"] == 1
    assert error["field"] == field
    assert message in error["message"]
    assert Comment.objects.count() == 0


def test_a_timestamp_up_to_a_day_ahead_and_the_largest_count_are_accepted(api):
    ahead = (timezone.now() + timedelta(hours=23)).isoformat()
    response = post(api, comment_item(posted_at=ahead, likes=2**63 - 1))
    assert response.status_code == 201, response.content
    assert Comment.objects.get().likes == 2**63 - 1


def test_every_bad_item_of_a_batch_is_named_and_nothing_is_written(api):
    """The batch answers as a whole (docs/api.md): one answer names every problem of every
    item, so a client fixes them all at once; the good items then go in on a retry."""
    good = [comment_item(), comment_item()]
    bad = [
        good[0],
        comment_item(posted_at="0001-01-01T00:00:00+14:00"),
        good[1],
        comment_item(external_id="t\x00", likes=-1),
        "not an object",
    ]
    response = post(api, bad)
    assert response.status_code == 400
    errors = {(e["index"], e["field"]) for e in response.json()["errors"]}
    assert errors == {(1, "posted_at"), (3, "external_id"), (3, "likes"), (4, None)}
    assert Comment.objects.count() == 0
    assert post(api, good).status_code == 201
    assert Comment.objects.count() == 2


def test_the_queue_keeps_working_after_a_hostile_timestamp(client, alice, api):
    """A BC posted_at used to be stored, and every poll of the brand's queue then failed."""
    assert post(api, comment_item(posted_at="0001-01-01T00:00:00+14:00")).status_code == 400
    assert post(api, comment_item(text=RED_TEXT)).status_code == 201
    client.force_login(alice)
    assert client.get(reverse("queue")).status_code == 200
    assert api.get(URL).status_code == 200


def test_missing_required_fields_are_each_named(api):
    response = post(api, {"platform": "twitter"})
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"external_id", "text", "author_handle"}


@pytest.mark.parametrize(
    "body", ["not json{", "[]", "42", '"text"', "[1, 2]", '{"text": NaN}', "[1, 2,]"]
)
def test_malformed_bodies_answer_400_never_500(api, body):
    response = api.post(URL, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


def test_non_utf8_body_answers_400(api):
    response = api.post(URL, data=b"\xff\xfe{", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "the body must be UTF-8 encoded JSON"


def test_malformed_json_is_named_with_where_it_breaks(api):
    response = api.post(URL, data=b'[{"text": "hola"', content_type="application/json")
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert message.startswith("malformed JSON: ")
    assert "char 16" in message


def test_too_many_items_answers_413(api, settings):
    settings.SEMAFORO = {**settings.SEMAFORO, "MAX_BATCH_ITEMS": 3}
    response = post(api, [comment_item() for _ in range(4)])
    assert response.status_code == 413
    assert "at most 3 items" in response.json()["errors"][0]["message"]
    assert Comment.objects.count() == 0


def test_too_large_a_body_answers_413(api, settings):
    settings.SEMAFORO = {**settings.SEMAFORO, "MAX_BODY_BYTES": 2048}
    response = post(api, [comment_item(text="y" * 3000)])
    assert response.status_code == 413


def test_no_token_no_write(anonymous_api):
    response = post(anonymous_api, comment_item())
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"]
    assert Comment.objects.count() == 0


def test_bad_or_revoked_token_answers_401(api, anonymous_api):
    from django.utils import timezone

    anonymous_api.credentials(HTTP_AUTHORIZATION="Token smf_not-a-real-token")
    assert post(anonymous_api, comment_item()).status_code == 401
    ApiToken.objects.update(revoked_at=timezone.now())
    assert post(api, comment_item()).status_code == 401


def test_community_manager_cannot_push_through_the_api(client, alice):
    client.force_login(alice)
    response = post(client, comment_item())
    assert response.status_code == 403


def test_token_is_stored_hashed(listener_token):
    token = ApiToken.objects.get()
    assert listener_token not in (token.digest, token.prefix)
    assert len(token.digest) == 64


def test_throttled_client_answers_429_with_retry_after(api, settings):
    from django.core.cache import cache

    cache.clear()
    settings.SEMAFORO = {**settings.SEMAFORO, "API_THROTTLE": "2/min"}
    assert post(api, comment_item()).status_code == 201
    assert post(api, comment_item()).status_code == 201
    throttled = post(api, comment_item())
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    cache.clear()


def test_list_filters_by_level_and_text(api):
    post(api, [comment_item(text=RED_TEXT), comment_item(text=GREEN_TEXT)])
    reds = api.get(URL, {"level": "red"}).json()["results"]
    assert [c["level"] for c in reds] == ["red"]
    found = api.get(URL, {"q": "sucursal"}).json()["results"]
    assert [c["text"] for c in found] == [GREEN_TEXT]


def test_list_rejects_an_unknown_filter_value_with_400(api):
    response = api.get(URL, {"level": "purple"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "level"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "9999-12-31T23:59:59-23:59"}, "since"),
        ({"until": "9999-12-31T23:59:59+23:59"}, "until"),
        ({"since": "0001-01-01T00:00:00+14:00"}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"page_size": "2.5"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "-3"}, "page_size"),
        ({"page_size": "9" * 40}, "page_size"),
        ({"cursor": "garbage!"}, "cursor"),
        # Decodes, but its position is not a time: it reached the query and failed there.
        ({"cursor": "cD1ub3QtYS1kYXRl"}, "cursor"),
        ({"cursor": "cD05OTk5LTEyLTMxVDIzOjU5OjU5LTIzOjU5"}, "cursor"),
    ],
)
def test_a_bad_query_parameter_answers_400_naming_it(api, params, field):
    post(api, comment_item())
    response = api.get(URL, params)
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert error["message"]


def test_the_schema_bounds_page_size(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    [page_size] = [
        p
        for p in schema["paths"]["/api/v1/comments/"]["get"]["parameters"]
        if p["name"] == "page_size"
    ]
    assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 500}


def test_list_is_cursor_paginated(api):
    post(api, [comment_item() for _ in range(5)])
    first = api.get(URL, {"page_size": 2}).json()
    assert len(first["results"]) == 2
    assert first["next"]
    second = api.get(first["next"]).json()
    assert {c["id"] for c in second["results"]}.isdisjoint({c["id"] for c in first["results"]})


def test_list_query_count_is_pinned(api, django_assert_max_num_queries):
    post(api, [comment_item(text=RED_TEXT if n % 2 else GREEN_TEXT) for n in range(30)])
    # The token, its owner's permissions and memberships (a person's token reads only where
    # they still hold a role), the page.
    with django_assert_max_num_queries(5):
        response = api.get(URL, {"page_size": 30})
    assert len(response.json()["results"]) == 30


def test_detail_has_the_classification_history(api):
    [result] = post(api, comment_item(text=RED_TEXT)).json()["results"]
    detail = api.get(f"{URL}{result['id']}/").json()
    assert detail["level"] == "red"
    assert len(detail["classifications"]) == 1
    assert detail["classifications"][0]["is_human"] is False


def test_unknown_id_answers_404_in_the_error_shape(api):
    response = api.get(f"{URL}999999/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["message"]


def test_schema_and_docs_are_served(client):
    schema = client.get(reverse("api-schema"), {"format": "json"})
    assert schema.status_code == 200
    assert "/api/v1/comments/" in schema.json()["paths"]
    assert client.get(reverse("api-docs")).status_code == 200


def test_the_schema_says_a_models_decision_has_no_decider(client):
    """The model's own decisions carry ``decided_by: null``; the schema must allow it, or a
    client generated from it rejects every history."""
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    decided_by = schema["components"]["schemas"]["Classification"]["properties"]["decided_by"]
    assert decided_by.get("nullable") is True
