"""The admin shows a secret once, then masks it, rotates it; deliveries are read-only."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from outbound import delivery as outbound
from outbound.models import Endpoint, Purpose

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-123")
    client.force_login(user)
    return client


def test_a_new_endpoints_secret_is_shown_once_then_masked(root, aurora):
    response = root.post(
        reverse("admin:outbound_endpoint_add"),
        follow=True,
        data={
            "brand": aurora.pk,
            "purpose": Purpose.PUBLISHING,
            "url": "https://publish.example/h",
            "active": "on",
        },
    )
    endpoint = Endpoint.objects.get()
    assert endpoint.secret.encode() in response.content
    listing = root.get(reverse("admin:outbound_endpoint_changelist"))
    assert endpoint.secret.encode() not in listing.content
    assert endpoint.masked_secret.encode() in listing.content
    change = root.get(reverse("admin:outbound_endpoint_change", args=[endpoint.pk]))
    assert endpoint.secret.encode() not in change.content


def test_the_rotate_action_replaces_the_secret_and_shows_the_new_one(root, aurora):
    endpoint = Endpoint.objects.create(
        brand=aurora, purpose=Purpose.CHAT, url="https://chat.example/h"
    )
    old = endpoint.secret
    response = root.post(
        reverse("admin:outbound_endpoint_changelist"),
        follow=True,
        data={
            "action": "rotate_secret",
            "_selected_action": [endpoint.pk],
        },
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret_rotated_at is not None
    assert endpoint.secret.encode() in response.content


def test_a_delivery_is_read_only_with_its_attempts_inline(
    root, aurora, aurora_publishing, receiver
):
    receiver.reply_with({"status": 502})
    delivery = outbound.delivery_create(
        brand=aurora,
        purpose=Purpose.PUBLISHING,
        event="reply.approved",
        payload={"reply_id": 1},
        key="reply:1:publish",
    )
    outbound.delivery_attempt(delivery_id=delivery.pk)
    page = root.get(reverse("admin:outbound_delivery_change", args=[delivery.pk]))
    assert page.status_code == 200
    assert b"502" in page.content
    assert b'name="_save"' not in page.content
    assert root.get(reverse("admin:outbound_delivery_add")).status_code == 403
