"""Opening or joining a crisis: reds grouped by what they are about."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from classifier.lexicons.ripple import CONCEPTS
from comments import classification
from crisis.models import Crisis, CrisisEvent, CrisisStatus, EventKind, Severity
from tests.comments.test_ripple_intake import DOUBLE_CHARGE, _items
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
