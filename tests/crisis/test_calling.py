"""Calling the committee: each level by mail and chat, the next level when nobody answers."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from crisis import acknowledging, calling
from crisis.models import Crisis, CrisisEvent, CrisisNotification, EventKind
from outbound.models import Delivery, Endpoint, Purpose
from tests.crisis.helpers import escalate, member, red

pytestmark = pytest.mark.django_db


def test_the_committee_chat_gets_one_signed_webhook_per_level(aurora, carla):
    Endpoint.objects.create(brand=aurora, purpose=Purpose.CHAT, url="http://chat.test/hook")
    member("diego", aurora, committee_role="manager", chat_handle="@diego")
    escalate(aurora, [red(), red(text="Ya puse la denuncia en PROFECO por el cobro")])
    [delivery] = Delivery.objects.all()
    assert delivery.event == "crisis.notify"
    assert delivery.payload["level"] == 1
    assert delivery.payload["mention"] == ["@diego"]
    assert delivery.endpoint.purpose == Purpose.CHAT


def test_each_member_is_mailed_once_even_when_notified_again(aurora, carla):
    [row] = escalate(aurora, [red()])
    calling.crisis_notify_level(crisis_id=row.crisis_id, level=1)
    assert len(mail.outbox) == 1
    assert CrisisNotification.objects.get().sent_at is not None


# --- nobody acknowledged: the next level ----------------------------------------------------


def test_level_two_is_called_when_nobody_acknowledges_in_time(aurora, carla, settings):
    boss = member("beatriz", aurora, committee_role="manager", level=2)
    [row] = escalate(aurora, [red()])
    crisis = Crisis.objects.get()
    assert [m.to for m in mail.outbox] == [[carla.email]]
    ack_minutes = settings.SEMAFORO["CRISIS_ACK_MINUTES"]

    too_soon = crisis.level_notified_at + timedelta(minutes=ack_minutes - 1)
    assert calling.crises_escalate_unacknowledged(now=too_soon) == []

    late = crisis.level_notified_at + timedelta(minutes=ack_minutes + 1)
    assert calling.crises_escalate_unacknowledged(now=late) == [(crisis.pk, 2)]
    assert calling.crises_escalate_unacknowledged(now=late) == []  # claimed once
    calling.crisis_notify_level(crisis_id=crisis.pk, level=2)
    assert [m.to for m in mail.outbox] == [[carla.email], [boss.email]]
    crisis.refresh_from_db()
    assert crisis.contact_level == 2
    assert CrisisEvent.objects.filter(crisis=crisis, kind=EventKind.LEVEL_ESCALATED).exists()


def test_an_acknowledged_crisis_calls_nobody_else(aurora, carla, settings):
    member("beatriz", aurora, committee_role="manager", level=2)
    [row] = escalate(aurora, [red()])
    acknowledging.crisis_acknowledge(crisis_id=row.crisis_id, user=carla)
    late = timezone.now() + timedelta(minutes=settings.SEMAFORO["CRISIS_ACK_MINUTES"] + 1)
    assert calling.crises_escalate_unacknowledged(now=late) == []


def test_an_empty_level_is_skipped(aurora, carla, settings):
    member("beatriz", aurora, committee_role="manager", level=3)
    [row] = escalate(aurora, [red()])
    late = timezone.now() + timedelta(minutes=settings.SEMAFORO["CRISIS_ACK_MINUTES"] + 1)
    assert calling.crises_escalate_unacknowledged(now=late) == [(row.crisis_id, 3)]


def test_a_committee_seated_only_at_level_two_is_called_at_the_next_pass(aurora):
    boss = member("beatriz", aurora, committee_role="manager", level=2)
    [row] = escalate(aurora, [red()])
    assert mail.outbox == []
    assert calling.crises_escalate_unacknowledged(now=timezone.now()) == [(row.crisis_id, 2)]
    calling.crisis_notify_level(crisis_id=row.crisis_id, level=2)
    assert [m.to for m in mail.outbox] == [[boss.email]]
