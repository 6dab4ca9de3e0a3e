"""Crises: open or join, the committee called by level, acknowledgement links."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from classifier.lexicons.ripple import CONCEPTS
from comments import classification
from crisis import crises
from crisis.models import Crisis, CrisisEvent, CrisisNotification, CrisisStatus, EventKind, Severity
from outbound.models import Delivery, Endpoint, Purpose
from tests.comments.test_ripple_intake import DOUBLE_CHARGE, _items
from tests.conftest import PASSWORD
from tests.crisis.helpers import escalate, member, red

pytestmark = pytest.mark.django_db


def test_a_red_opens_a_crisis_and_level_one_is_told(aurora, carla):
    [row] = escalate(aurora, [red()])
    crisis = Crisis.objects.get()
    assert row.crisis == crisis
    assert crisis.brand == aurora
    assert crisis.status == CrisisStatus.COMMITTEE_NOTIFIED
    assert crisis.subject_key == "authority_mention"
    # In the brand's language and the queue's words for the signal, the evidence quoted.
    [evidence] = [r["evidence"] for r in row.comment.reasons if r["signal"] == "authority_mention"]
    assert crisis.subject == f"Autoridad o vía legal: “{evidence}”"
    assert crisis.notified_at is not None
    assert crisis.level_notified_at is not None
    assert crisis.first_comment_at == row.comment.posted_at
    [message] = mail.outbox
    assert message.to == [carla.email]
    assert reverse("crisis-room", args=[crisis.pk]) in message.body
    assert "/crises/ack/" in message.body
    kinds = list(CrisisEvent.objects.filter(crisis=crisis).values_list("kind", flat=True))
    assert kinds == [EventKind.OPENED, EventKind.NOTIFIED]


def test_reds_of_one_ripple_make_one_crisis_and_the_committee_is_mailed_once(aurora, carla):
    rows = escalate(aurora, _items(DOUBLE_CHARGE))
    crisis = Crisis.objects.get()
    assert {r.crisis_id for r in rows} == {crisis.pk}
    assert crisis.ripple_id == rows[0].comment.ripple_id
    assert crisis.subject_key == f"ripple:{crisis.ripple_id}"
    assert crisis.severity == Severity.CRITICAL
    assert crisis.escalations_count == 12
    assert crisis.first_comment_at == min(r.comment.posted_at for r in rows)
    assert len(mail.outbox) == 1
    assert CrisisEvent.objects.filter(crisis=crisis, kind=EventKind.JOINED).count() == 11


def test_a_later_red_of_the_same_ripple_joins_its_crisis(aurora, carla):
    escalate(aurora, _items(DOUBLE_CHARGE[:10]))
    crisis = Crisis.objects.get()
    later = _items(DOUBLE_CHARGE[10:], prefix="late", start=timezone.now() - timedelta(minutes=8))
    rows = escalate(aurora, later)
    assert rows
    assert {r.crisis_id for r in rows} == {crisis.pk}
    assert Crisis.objects.count() == 1


def test_a_red_about_something_else_opens_its_own_crisis(aurora, carla):
    escalate(aurora, [red()])
    escalate(
        aurora,
        [
            red(
                text="Mi hijo termino en el hospital por una alergia, el producto "
                "no decia que tenia mani"
            )
        ],
    )
    assert Crisis.objects.count() == 2
    assert set(Crisis.objects.values_list("subject_key", flat=True)) == {
        "authority_mention",
        "health_safety",
    }


def test_a_ripple_crisis_names_its_complaint_in_the_brands_words(aurora, carla):
    rows = escalate(aurora, _items(DOUBLE_CHARGE))
    crisis = rows[0].crisis
    assert crisis.subject == f"Onda #{crisis.ripple_id}: cobro doble"


def test_every_ripple_concept_has_a_name_for_people():
    assert set(CONCEPTS) == set(classification.CONCEPT_LABELS)


def test_a_threat_of_violence_is_its_own_subject(aurora, carla):
    """Not the insult category's: the committee must see at once that people are at risk."""
    [row] = escalate(
        aurora, [red(text="pinches rateros, los voy a esperar a la salida y les rompo la cara")]
    )
    crisis = row.crisis
    assert crisis.subject_key == "violence_threat"
    assert crisis.subject.startswith("Amenaza de violencia: “")


def test_a_crisis_subject_is_written_in_its_brands_language(rapimenu):
    escalate(rapimenu, [red()])
    assert Crisis.objects.get().subject.startswith("Authority or legal route: “")


def test_the_same_subject_joins_only_inside_the_window(aurora, carla, settings):
    [first] = escalate(aurora, [red()])
    [second] = escalate(aurora, [red(text="Ya puse la denuncia en PROFECO por el cobro")])
    assert second.crisis_id == first.crisis_id
    old = timezone.now() - timedelta(minutes=settings.SEMAFORO["CRISIS_JOIN_MIN"] + 1)
    Crisis.objects.filter(pk=first.crisis_id).update(last_escalation_at=old)
    [third] = escalate(aurora, [red(text="Los voy a denunciar ante PROFECO hoy mismo")])
    assert third.crisis_id != first.crisis_id


def test_a_closed_crisis_is_not_joined(aurora, carla):
    [first] = escalate(aurora, [red()])
    Crisis.objects.filter(pk=first.crisis_id).update(status=CrisisStatus.CLOSED)
    [second] = escalate(aurora, [red(text="Ya puse la denuncia en PROFECO por el cobro")])
    assert second.crisis_id != first.crisis_id


def test_another_brands_red_opens_its_own_crisis(aurora, rapimenu, carla):
    rapi_committee = member("rita", rapimenu)
    [ours] = escalate(aurora, [red()])
    [theirs] = escalate(rapimenu, [red()])
    assert ours.crisis_id != theirs.crisis_id
    assert Crisis.objects.get(pk=theirs.crisis_id).brand == rapimenu
    assert theirs.recipients == [rapi_committee.email]
    assert ours.recipients == [carla.email]


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
    crises.crisis_notify_level(crisis_id=row.crisis_id, level=1)
    assert len(mail.outbox) == 1
    assert CrisisNotification.objects.get().sent_at is not None


# --- acknowledgement links ------------------------------------------------------------------


def _ack_path(crisis, user):
    return reverse("crisis-ack", args=[crises.ack_token(crisis, user)])


def test_the_member_acknowledges_with_their_link(client, aurora, carla):
    [row] = escalate(aurora, [red()])
    crisis = row.crisis
    client.login(username="carla", password=PASSWORD)
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
    token = crises.ack_token(row.crisis, carla)
    client.login(username="carla", password=PASSWORD)
    response = client.post(reverse("crisis-ack", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert Crisis.objects.get().acknowledged_at is None


def test_another_members_link_does_not_acknowledge_for_them(client, aurora, carla):
    diego = member("diego", aurora, committee_role="manager")
    [row] = escalate(aurora, [red()])
    client.login(username="diego", password=PASSWORD)
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


# --- nobody acknowledged: the next level ----------------------------------------------------


def test_level_two_is_called_when_nobody_acknowledges_in_time(aurora, carla, settings):
    boss = member("beatriz", aurora, committee_role="manager", level=2)
    [row] = escalate(aurora, [red()])
    crisis = Crisis.objects.get()
    assert [m.to for m in mail.outbox] == [[carla.email]]
    ack_minutes = settings.SEMAFORO["CRISIS_ACK_MINUTES"]

    too_soon = crisis.level_notified_at + timedelta(minutes=ack_minutes - 1)
    assert crises.crises_escalate_unacknowledged(now=too_soon) == []

    late = crisis.level_notified_at + timedelta(minutes=ack_minutes + 1)
    assert crises.crises_escalate_unacknowledged(now=late) == [(crisis.pk, 2)]
    assert crises.crises_escalate_unacknowledged(now=late) == []  # claimed once
    crises.crisis_notify_level(crisis_id=crisis.pk, level=2)
    assert [m.to for m in mail.outbox] == [[carla.email], [boss.email]]
    crisis.refresh_from_db()
    assert crisis.contact_level == 2
    assert CrisisEvent.objects.filter(crisis=crisis, kind=EventKind.LEVEL_ESCALATED).exists()


def test_an_acknowledged_crisis_calls_nobody_else(aurora, carla, settings):
    member("beatriz", aurora, committee_role="manager", level=2)
    [row] = escalate(aurora, [red()])
    crises.crisis_acknowledge(crisis_id=row.crisis_id, user=carla)
    late = timezone.now() + timedelta(minutes=settings.SEMAFORO["CRISIS_ACK_MINUTES"] + 1)
    assert crises.crises_escalate_unacknowledged(now=late) == []


def test_an_empty_level_is_skipped(aurora, carla, settings):
    member("beatriz", aurora, committee_role="manager", level=3)
    [row] = escalate(aurora, [red()])
    late = timezone.now() + timedelta(minutes=settings.SEMAFORO["CRISIS_ACK_MINUTES"] + 1)
    assert crises.crises_escalate_unacknowledged(now=late) == [(row.crisis_id, 3)]


def test_a_committee_seated_only_at_level_two_is_called_at_the_next_pass(aurora):
    boss = member("beatriz", aurora, committee_role="manager", level=2)
    [row] = escalate(aurora, [red()])
    assert mail.outbox == []
    assert crises.crises_escalate_unacknowledged(now=timezone.now()) == [(row.crisis_id, 2)]
    crises.crisis_notify_level(crisis_id=row.crisis_id, level=2)
    assert [m.to for m in mail.outbox] == [[boss.email]]
