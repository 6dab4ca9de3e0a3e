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


POISON_TEXT = "Voy a quejarme con el defensor\ndel pueblo por este cobro abusivo"


def test_a_line_break_in_the_evidence_never_reaches_the_mail_subject(ingest, carla):
    [result] = ingest([comment_item(text=POISON_TEXT)])
    assert "\n" in result.reasons[0]["evidence"]
    escalation_row = Escalation.objects.get(comment_id=result.id)
    assert escalation.escalation_notify(escalation_id=escalation_row.pk) is True
    [message] = mail.outbox
    assert "defensor del pueblo" in message.subject
    assert "\n" not in message.subject


def test_one_crisis_whose_notice_raises_never_holds_back_the_others_in_its_chunk(
    aurora, rapimenu, carla, ingest
):
    """carla's address is one the mail library refuses: Aurora's notice raises. RapiMenu's
    red, later in the same chunk, is still told; Aurora's keeps its error and waits alone."""
    from django.contrib.auth import get_user_model

    from brands.grants import grant_role
    from brands.roles import Role
    from comments import intake

    get_user_model().objects.filter(pk=carla.pk).update(email="carla@example.com\nBcc: x@y.z")
    rita = get_user_model().objects.create_user(username="rita", email="rita@example.com")
    grant_role(rita, Role.CRISIS_COMMITTEE, brand=rapimenu)
    [aurora_red] = ingest([comment_item(text=RED_TEXT)])
    [rapi_red] = intake.ingest([comment_item(text=RED_TEXT)], brand_id=rapimenu.pk)
    first, second = (Escalation.objects.get(comment_id=r.id) for r in (aurora_red, rapi_red))

    assert escalation.escalations_notify(escalation_ids=[first.pk, second.pk]) == 1

    [message] = mail.outbox
    assert message.to == [rita.email]
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.notified_at is not None
    assert (first.notified_at, first.claimed_at) == (None, None)
    assert first.last_error.startswith("BadHeaderError")
    get_user_model().objects.filter(pk=carla.pk).update(email="carla@example.com")
    assert escalation.escalation_notify(escalation_id=first.pk) is True
    assert mail.outbox[-1].to == ["carla@example.com"]
