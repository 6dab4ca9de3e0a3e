"""Deliveries with errors: a supervisor sees their brands' mails and webhooks that failed, and
nobody else's."""

import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from outbound.models import Delivery, Endpoint, Mail, MailKind, Purpose
from tests.factories import sign_in

pytestmark = pytest.mark.django_db
URL = reverse("delivery-errors")
_keys = itertools.count()


def _failing_mail(brand, *, given_up=False):
    now = timezone.now()
    return Mail.objects.create(
        brand=brand,
        kind=MailKind.DEPARTMENT_REQUEST,
        key=f"failing:{next(_keys)}",
        to=[f"dept@{brand.slug}.example"],
        subject=f"[Semáforo] {brand.name} needs you",
        body="…",
        about="/cases/1/",
        attempts=7,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
        next_attempt_at=None if given_up else now,
        failed_at=now if given_up else None,
    )


def _failed_delivery(brand):
    endpoint, _ = Endpoint.objects.get_or_create(
        brand=brand, purpose=Purpose.PUBLISHING, defaults={"url": "https://pub.example/hook"}
    )
    return Delivery.objects.create(
        endpoint=endpoint,
        event="reply.approved",
        payload={},
        key=f"delivery:{next(_keys)}",
        status=Delivery.Status.FAILED,
        attempts=10,
        last_error="HTTP 410: gone",
    )


def test_a_supervisor_sees_their_brands_failed_mails_and_webhooks_only(
    client, aurora, rapimenu, sam
):
    dead = _failing_mail(aurora, given_up=True)
    retrying = _failing_mail(aurora)
    delivery = _failed_delivery(aurora)
    theirs = _failing_mail(rapimenu, given_up=True)
    Mail.objects.create(
        brand=aurora,
        kind=MailKind.DEADLINE_ALERT,
        key="sent",
        to=["a@a.example"],
        subject="sent fine",
        body="",
        sent_at=timezone.now(),
    )
    sign_in(client, "sam")
    html = client.get(URL).content.decode()
    assert f'data-mail="{dead.pk}"' in html
    assert f'data-mail="{retrying.pk}"' in html
    assert f'data-delivery="{delivery.pk}"' in html
    assert f'data-mail="{theirs.pk}"' not in html
    assert "sent fine" not in html
    assert "SMTPServerDisconnected" in html
    assert html.index(f'data-mail="{dead.pk}"') < html.index(f'data-mail="{retrying.pk}"')


@pytest.mark.parametrize("who", ["alice", "carla", "mallory"])
def test_people_who_do_not_supervise_cannot_open_it(client, aurora, alice, carla, mallory, who):
    sign_in(client, who)
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(URL).status_code == 302


def test_the_page_query_count_is_pinned(client, aurora, sam, query_counts):
    sign_in(client, "sam")

    def grow(n):
        for _ in range(n):
            _failing_mail(aurora)
            _failed_delivery(aurora)

    few, many = query_counts(lambda: client.get(URL), grow)
    assert few == many
