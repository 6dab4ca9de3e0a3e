import base64
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from crisis import escalation
from crisis.models import Escalation
from tests.factories import RED_TEXT, comment_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def red_escalation(ingest, carla):
    [result] = ingest([comment_item(text=RED_TEXT)])
    return Escalation.objects.get(comment_id=result.id)


def test_notify_mails_each_committee_member_and_records_when(red_escalation, carla, alice):
    assert escalation.escalation_notify(escalation_id=red_escalation.pk) is True
    red_escalation.refresh_from_db()
    assert red_escalation.notified_at is not None
    assert red_escalation.recipients == [carla.email]
    [message] = mail.outbox
    assert message.to == [carla.email]
    assert "PROFECO" in message.body


def test_notify_twice_sends_once(red_escalation):
    escalation.escalation_notify(escalation_id=red_escalation.pk)
    assert escalation.escalation_notify(escalation_id=red_escalation.pk) is False
    assert len(mail.outbox) == 1


def test_a_fresh_claim_by_another_worker_is_respected(red_escalation):
    Escalation.objects.filter(pk=red_escalation.pk).update(claimed_at=timezone.now())
    assert escalation.escalation_notify(escalation_id=red_escalation.pk) is False
    assert mail.outbox == []


def test_a_stale_claim_of_a_dead_worker_is_taken_over(red_escalation):
    stale = timezone.now() - escalation.CLAIM_TIMEOUT - timedelta(seconds=1)
    Escalation.objects.filter(pk=red_escalation.pk).update(claimed_at=stale)
    assert escalation.escalation_notify(escalation_id=red_escalation.pk) is True


def test_sweep_picks_only_old_unnotified_escalations(red_escalation, settings):
    later = timezone.now() + timedelta(seconds=settings.SEMAFORO["ESCALATION_SWEEP_GRACE_S"] + 1)
    pending = Escalation.objects.filter(notified_at=None, created_at__lt=later)
    assert list(pending.values_list("pk", flat=True)) == [red_escalation.pk]
    escalation.escalation_notify(escalation_id=red_escalation.pk)
    assert escalation.escalations_sweep(now=later) == 0


def test_a_batch_of_reds_goes_to_the_crisis_queue_as_one_message_naming_its_size(broker):
    ids = list(range(101, 401))
    assert escalation.escalations_enqueue(ids) == len(ids)
    [message] = broker.lrange("crisis", 0, -1)
    body = json.loads(message)
    assert body["headers"]["task"] == "crisis.tasks.escalate"
    # The ids travel in the body; the header Celery logs names how many, not all 300 of them.
    assert body["headers"]["argsrepr"] == "(300 ids)"
    args, _kwargs, _embed = json.loads(base64.b64decode(body["body"]))
    assert args == [ids]


def test_a_few_escalations_are_named_in_the_message_header(broker):
    escalation.escalations_enqueue([7, 8])
    [message] = broker.lrange("crisis", 0, -1)
    assert json.loads(message)["headers"]["argsrepr"] == "([7, 8],)"
