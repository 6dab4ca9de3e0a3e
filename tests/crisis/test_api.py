"""The crisis API: who reads, brand isolation, filters, pagination, acknowledgement, schema."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts.models import ApiToken
from crisis.models import Crisis, CrisisEvent, CrisisStatus, EventKind
from tests.crisis.helpers import escalate, member, red, seat

pytestmark = pytest.mark.django_db
URL = "/api/v1/crises/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def as_person(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def with_token(user, brand) -> APIClient:
    _, raw = ApiToken.issue(user=user, name=f"{user.username}-token", brand=brand)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


@pytest.fixture
def crisis(aurora, carla):
    [row] = escalate(aurora, [red(author_followers=2_000)])
    return row.crisis


def _crisis(brand, subject, *, opened_at=None, status=CrisisStatus.DETECTED):
    now = opened_at or timezone.now()
    return Crisis.objects.create(
        brand=brand,
        subject=subject,
        subject_key=subject,
        first_comment_at=now,
        last_escalation_at=now,
        opened_at=now,
        status=status,
    )


# --- who reads --------------------------------------------------------------------------------


def test_the_committee_and_supervisors_read_their_brands_crises(crisis, carla, sam):
    for person in (carla, sam):
        response = as_person(person).get(URL)
        assert response.status_code == 200
        assert [c["id"] for c in response.json()["results"]] == [crisis.pk]


def test_a_community_manager_reads_them_only_when_seated_on_the_committee(crisis, alice, aurora):
    assert as_person(alice).get(URL).status_code == 403
    seat(alice, aurora)
    assert as_person(alice).get(URL).status_code == 200


def test_a_rest_clients_token_reads_no_crisis(crisis, api):
    for path in (URL, f"{URL}{crisis.pk}/"):
        response = api.get(path)
        assert response.status_code == 403
        assert response.json()["errors"][0]["message"]
    assert api.post(f"{URL}{crisis.pk}/acknowledge/").status_code == 403


def test_nobody_unauthenticated_reads(crisis, anonymous_api):
    assert anonymous_api.get(URL).status_code == 401


def test_an_outsider_is_forbidden(crisis, mallory):
    assert as_person(mallory).get(URL).status_code == 403


def test_a_committee_members_own_token_reads_only_its_brand(crisis, carla, aurora, rapimenu):
    response = with_token(carla, aurora).get(URL)
    assert [c["id"] for c in response.json()["results"]] == [crisis.pk]
    assert with_token(carla, rapimenu).get(URL).status_code == 403


# --- isolation ----------------------------------------------------------------------------------


def test_another_brands_crisis_is_not_found(crisis, rapimenu):
    rita = member("rita", rapimenu)
    theirs = _crisis(rapimenu, "reach")
    client = as_person(rita)
    assert [c["id"] for c in client.get(URL).json()["results"]] == [theirs.pk]
    for response in (
        client.get(f"{URL}{crisis.pk}/"),
        client.post(f"{URL}{crisis.pk}/acknowledge/"),
    ):
        assert response.status_code == 404
        assert response.json()["errors"][0]["message"]
    assert Crisis.objects.get(pk=crisis.pk).acknowledged_at is None


# --- list ---------------------------------------------------------------------------------------


def test_the_list_filters_by_status_and_since(aurora, carla):
    old = _crisis(
        aurora, "old", opened_at=timezone.now() - timedelta(days=3), status=CrisisStatus.CLOSED
    )
    new = _crisis(aurora, "new")
    client = as_person(carla)
    closed = client.get(URL, {"status": "closed"}).json()["results"]
    assert [c["id"] for c in closed] == [old.pk]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    recent = client.get(URL, {"since": since}).json()["results"]
    assert [c["id"] for c in recent] == [new.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "panic"}, "status"),
        ({"since": "yesterday"}, "since"),
        ({"since": "9999-12-31T23:59:59-23:59"}, "since"),
        ({"since": "0001-01-01T00:00:00+14:00"}, "since"),
        ({"page_size": "1.5"}, "page_size"),
        ({"page_size": "201"}, "page_size"),
        ({"cursor": "%%%"}, "cursor"),
    ],
)
def test_a_bad_filter_answers_400_naming_the_field(aurora, carla, params, field):
    response = as_person(carla).get(URL, params)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert error["message"]


def test_the_list_is_cursor_paginated_newest_first(aurora, carla):
    made = [
        _crisis(aurora, f"s{n}", opened_at=timezone.now() - timedelta(minutes=n)) for n in range(5)
    ]
    client = as_person(carla)
    first = client.get(URL, {"page_size": 2}).json()
    assert [c["id"] for c in first["results"]] == [made[0].pk, made[1].pk]
    assert first["next"]
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert [c["id"] for c in second["results"]] == [made[2].pk, made[3].pk]


def test_the_list_query_count_is_pinned(aurora, carla, django_assert_max_num_queries):
    for n in range(20):
        crisis = _crisis(aurora, f"s{n}")
        Crisis.objects.filter(pk=crisis.pk).update(owner=carla, acknowledged_by=carla)
    client = as_person(carla)
    client.get(URL)  # the session and the person's brands, read once
    with django_assert_max_num_queries(6):
        response = client.get(URL, {"page_size": 20})
    assert len(response.json()["results"]) == 20
    assert {c["owner"] for c in response.json()["results"]} == {"carla"}


# --- detail -------------------------------------------------------------------------------------


def test_the_detail_has_times_counts_and_timeline(crisis, carla):
    body = as_person(carla).get(f"{URL}{crisis.pk}/").json()
    assert body["subject"] == crisis.subject
    assert body["severity"] == "high"
    # The words are for people, in the brand's language; a client matches on the code.
    assert body["subject_key"] == "authority_mention"
    assert body["status"] == CrisisStatus.COMMITTEE_NOTIFIED
    assert body["brand"] == "aurora"
    assert body["owner"] is None
    assert body["opened_at"]
    assert body["notified_at"]
    assert body["closed_at"] is None
    assert body["escalations"] == 1
    assert body["counts"] == {"comments": 1, "authors": 1, "reach": 2_000, "platforms": ["twitter"]}
    assert [e["kind"] for e in body["timeline"]] == [EventKind.OPENED, EventKind.NOTIFIED]
    assert body["room"].endswith(f"/crises/{crisis.pk}/")


# --- acknowledge --------------------------------------------------------------------------------


def test_a_called_member_acknowledges_and_again_changes_nothing(crisis, carla):
    client = as_person(carla)
    first = client.post(f"{URL}{crisis.pk}/acknowledge/")
    assert first.status_code == 200
    assert first.json()["member"] == "carla"
    assert first.json()["owner"] == "carla"
    second = client.post(f"{URL}{crisis.pk}/acknowledge/")
    assert second.status_code == 200
    assert second.json() == first.json()
    assert CrisisEvent.objects.filter(crisis=crisis, kind=EventKind.ACKNOWLEDGED).count() == 1
    crisis.refresh_from_db()
    assert crisis.acknowledged_by == carla


def test_a_member_acknowledges_with_their_own_token(crisis, carla, aurora):
    response = with_token(carla, aurora).post(f"{URL}{crisis.pk}/acknowledge/")
    assert response.status_code == 200
    crisis.refresh_from_db()
    assert crisis.acknowledged_by == carla


def test_someone_not_called_cannot_acknowledge(crisis, sam):
    response = as_person(sam).post(f"{URL}{crisis.pk}/acknowledge/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "not called" in response.json()["errors"][0]["message"]
    crisis.refresh_from_db()
    assert crisis.acknowledged_at is None


# --- schema -------------------------------------------------------------------------------------


def test_the_schema_builds_valid_with_the_crisis_paths(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for path in ("/api/v1/crises/:", "/api/v1/crises/{id}/:", "/api/v1/crises/{id}/acknowledge/:"):
        assert path in text
