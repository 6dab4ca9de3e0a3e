"""Acknowledging with the personal mail link: only its person, logged in."""

import pytest
from django.urls import reverse

from crisis import links
from crisis.models import Crisis, CrisisEvent, EventKind
from tests.crisis.helpers import escalate, member, red
from tests.factories import sign_in

pytestmark = pytest.mark.django_db


def _ack_path(crisis, user):
    return reverse("crisis-ack", args=[links.ack_token(crisis, user)])


def test_the_member_acknowledges_with_their_link(client, aurora, carla):
    [row] = escalate(aurora, [red()])
    crisis = row.crisis
    sign_in(client, "carla")
    assert client.get(_ack_path(crisis, carla)).status_code == 200
    response = client.post(_ack_path(crisis, carla))
    assert response.status_code == 302
    crisis.refresh_from_db()
    assert crisis.acknowledged_by == carla
    assert crisis.owner == carla
    assert crisis.acknowledged_at is not None
    assert (
        CrisisEvent.objects.filter(crisis=crisis, kind=EventKind.ACKNOWLEDGED, actor=carla).count()
        == 1
    )


def test_a_tampered_link_acknowledges_nothing(client, aurora, carla):
    [row] = escalate(aurora, [red()])
    token = links.ack_token(row.crisis, carla)
    sign_in(client, "carla")
    response = client.post(reverse("crisis-ack", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert Crisis.objects.get().acknowledged_at is None


def test_another_members_link_does_not_acknowledge_for_them(client, aurora, carla):
    diego = member("diego", aurora, committee_role="manager")
    [row] = escalate(aurora, [red()])
    sign_in(client, "diego")
    response = client.post(_ack_path(row.crisis, carla))
    assert response.status_code == 403
    assert Crisis.objects.get().acknowledged_at is None
    assert diego.pk != carla.pk


def test_the_link_asks_to_log_in_first(client, aurora, carla):
    [row] = escalate(aurora, [red()])
    response = client.post(_ack_path(row.crisis, carla))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert Crisis.objects.get().acknowledged_at is None
