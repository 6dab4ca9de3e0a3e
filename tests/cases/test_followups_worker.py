"""Follow-ups on the real stack: beat finds the due one, a worker asks the person by mail."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import workflow
from cases.models import FollowUp, Outcome
from core.taxonomy import Level
from tests.crisis.conftest import Worker, broker, celery_worker_factory  # noqa: F401
from tests.factories import case_with_comment

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_beat_and_a_worker_prompt_a_due_follow_up_once(aurora, alice, celery_worker_factory):  # noqa: F811
    case = case_with_comment(brand=aurora, level=Level.GREEN)
    workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)
    workflow.case_move(case_id=case.pk, actor=alice, action="start")
    workflow.case_move(case_id=case.pk, actor=alice, action="resolve", outcome=Outcome.SOLVED)
    FollowUp.objects.filter(case=case).update(due_at=timezone.now() - timedelta(seconds=1))

    worker: Worker = celery_worker_factory(beat=True, SEMAFORO_FOLLOW_UP_INTERVAL_S=1)
    [message] = worker.wait_for_mails(1, timeout=90)
    assert alice.email in message, message
    assert f"#{case.pk}" in message
    first = FollowUp.objects.get(case=case, number=1)
    assert first.prompted_at is not None
    assert FollowUp.objects.filter(case=case, number=2, prompted_at=None).exists()
