"""Acknowledging from the committee's chat: each member's signed button URL in the webhook."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import translation

from brands.models import Membership
from crisis import links
from crisis.models import Crisis, CrisisEvent, CrisisNotification, EventKind
from outbound.models import Delivery, Endpoint, Purpose
from tests.crisis.helpers import escalate, member, red
from tests.factories import signed_hours_ago

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def chat(aurora):
    return Endpoint.objects.create(brand=aurora, purpose=Purpose.CHAT, url="http://chat.test/hook")


@pytest.fixture
def crisis_told(aurora, carla, chat):
    member("diego", aurora, committee_role="manager", chat_handle="@diego")
    [row] = escalate(aurora, [red()])
    return row.crisis


@pytest.fixture
def button():
    """A chat tool: no session, no CSRF cookie, and Django's CSRF checks on."""
    return Client(enforce_csrf_checks=True)


def _ack_path(payload, username) -> str:
    [entry] = [m for m in payload["members"] if m["username"] == username]
    return urlsplit(entry["ack_url"]).path


def test_the_chat_message_carries_each_members_ack_url(crisis_told):
    [delivery] = Delivery.objects.all()
    members = delivery.payload["members"]
    assert [m["username"] for m in members] == ["carla", "diego"]
    assert [m["chat_handle"] for m in members] == ["", "@diego"]
    assert all(m["ack_url"].startswith("http") for m in members)
    assert members[0]["ack_url"] != members[1]["ack_url"]


def test_the_button_acknowledges_for_that_member(crisis_told, button, carla):
    diego_path = _ack_path(Delivery.objects.get().payload, "diego")
    response = button.post(diego_path)
    assert response.status_code == 200
    body = response.json()
    assert body["crisis"] == crisis_told.pk
    assert body["member"] == "diego"
    assert body["crisis_acknowledged_by"] == "diego"
    assert body["owner"] == "diego"
    crisis = Crisis.objects.get()
    assert crisis.acknowledged_by.username == "diego"
    assert crisis.acknowledged_at is not None
    assert CrisisNotification.objects.get(user__username="diego").acknowledged_at is not None
    assert CrisisNotification.objects.get(user=carla).acknowledged_at is None


def test_a_used_button_says_so_and_never_acts_twice(crisis_told, button):
    """The button's URL is a bearer credential: it acknowledges once; pressed again (or
    replayed from a log) it answers 409, already used, and records nothing more."""
    path = _ack_path(Delivery.objects.get().payload, "diego")
    first = button.post(path)
    assert first.status_code == 200
    second = button.post(path, HTTP_ACCEPT_LANGUAGE="en")
    assert second.status_code == 409
    used = "This link was already used: you acknowledged this crisis."
    assert second.json() == {"errors": [{"field": "token", "message": used}]}
    assert CrisisEvent.objects.filter(kind=EventKind.ACKNOWLEDGED).count() == 1


def test_a_button_holds_a_day_not_two(crisis_told, button):
    notice = CrisisNotification.objects.get(user__username="diego")
    with signed_hours_ago(23):
        fresh = urlsplit(links.chat_ack_url(notice.pk)).path
    with signed_hours_ago(25):
        old = urlsplit(links.chat_ack_url(notice.pk)).path
    assert button.post(old).status_code == 410
    assert Crisis.objects.get().acknowledged_at is None
    assert button.post(fresh).status_code == 200


def test_a_tampered_token_acknowledges_nothing(crisis_told, button):
    path = _ack_path(Delivery.objects.get().payload, "diego")
    token = path.rstrip("/").split("/")[-2]
    response = button.post(path.replace(token, token[:-2] + "xx"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "token"
    assert Crisis.objects.get().acknowledged_at is None


def test_an_expired_token_acknowledges_nothing(crisis_told, button, settings):
    path = _ack_path(Delivery.objects.get().payload, "diego")
    settings.SEMAFORO = {**settings.SEMAFORO, "CRISIS_ACK_LINK_H": -1}
    response = button.post(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 410
    assert response.json()["errors"] == [{"field": "token", "message": "This link has expired."}]
    assert Crisis.objects.get().acknowledged_at is None


def test_the_mail_link_is_not_a_chat_button(crisis_told, button, carla):
    mail_token = links.ack_token(crisis_told, carla)
    assert button.post(f"/crises/ack/{mail_token}/chat/").status_code == 400
    assert Crisis.objects.get().acknowledged_at is None


def test_only_a_post_acknowledges(crisis_told, button):
    path = _ack_path(Delivery.objects.get().payload, "diego")
    assert button.get(path).status_code == 405
    assert Crisis.objects.get().acknowledged_at is None


def test_a_member_who_left_the_brand_cannot_acknowledge(crisis_told, button):
    path = _ack_path(Delivery.objects.get().payload, "diego")
    Membership.objects.filter(user__username="diego").delete()
    assert button.post(path).status_code == 400
    assert Crisis.objects.get().acknowledged_at is None
