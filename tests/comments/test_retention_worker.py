"""Retention on the real stack: beat runs the purge, a worker forgets what is past its window."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import CaseStatus
from tests.crisis.conftest import Worker, broker, celery_worker_factory  # noqa: F401
from tests.factories import CaseFactory, CommentFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_beat_and_a_worker_purge_what_is_past_its_window(aurora, celery_worker_factory):  # noqa: F811
    case = CaseFactory(
        brand=aurora, status=CaseStatus.CLOSED, closed_at=timezone.now() - timedelta(days=400)
    )
    comment = CommentFactory(case=case, raw={"text": "llámenme al 300 123 4567"})
    worker: Worker = celery_worker_factory(beat=True, SEMAFORO_RETENTION_INTERVAL_S=1)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        comment.refresh_from_db()
        if comment.text == "[…]":
            break
        time.sleep(0.5)
    assert (comment.text, comment.raw) == ("[…]", {}), worker.stop()
