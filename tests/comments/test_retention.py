"""Retention (``comments.retention``, ``reports.retention``): past each window the desk forgets
a stranger's words and drops what it kept only for a while, in batches, idempotently; counts
stay. The beat pass runs on a real worker."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from cases.models import Case, CaseStatus
from comments import retention
from comments.models import Comment, CommentRevision, WebhookDelivery
from reports.models import ExportRecord
from reports.retention import export_records_purge
from tests.core.test_production_settings import _manage
from tests.factories import CaseFactory, CommentFactory, comment_item

pytestmark = pytest.mark.django_db

TEXT = "Me cobraron dos veces, llámenme al 300 123 4567"


def _ago(days: float):
    return timezone.now() - timedelta(days=days)


def _closed_case(aurora, *, days: float) -> Case:
    case = CaseFactory(brand=aurora, status=CaseStatus.CLOSED, closed_at=_ago(days))
    comment = CommentFactory(case=case, text=TEXT, raw={"text": TEXT}, pii=[[35, 47, "phone"]])
    CommentRevision.objects.create(comment=comment, text="antes")
    return case


def test_the_comments_of_a_case_closed_before_the_window_are_forgotten(aurora):
    old, recent = _closed_case(aurora, days=400), _closed_case(aurora, days=10)
    open_case = CaseFactory(brand=aurora, with_comment=True)
    open_case.comments.update(received_at=_ago(400))

    purged = retention.retention_purge()

    forgotten = old.comments.get()
    assert (forgotten.text, forgotten.raw, forgotten.pii) == ("[…]", {}, [])
    assert (forgotten.level, forgotten.case_id) == ("green", old.pk)  # the counts stay
    assert not CommentRevision.objects.filter(comment=forgotten).exists()
    assert recent.comments.get().text == TEXT
    assert open_case.comments.get().text != "[…]"
    assert purged.comments_forgotten == 1
    assert retention.retention_purge().comments_forgotten == 0  # idempotent


def test_raw_payloads_are_emptied_after_their_own_window_case_or_not(ingest):
    [old, new] = ingest([comment_item(), comment_item()])
    Comment.objects.filter(pk=old.id).update(received_at=_ago(31))
    assert retention.retention_purge().raw_payloads_emptied == 1
    assert Comment.objects.get(pk=old.id).raw == {}
    assert Comment.objects.get(pk=new.id).raw != {}


def test_processed_webhook_deliveries_go_after_their_window_and_failing_ones_stay(db):
    def delivery(**fields):
        return WebhookDelivery.objects.create(source="meta", body=b"{}", **fields)

    old, recent = delivery(processed_at=_ago(31)), delivery(processed_at=_ago(1))
    failing = delivery(received_at=_ago(90), last_error="no brand holds page 1")
    assert retention.retention_purge().webhook_deliveries_deleted == 1
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {recent.pk, failing.pk}
    assert not WebhookDelivery.objects.filter(pk=old.pk).exists()


def test_a_window_of_zero_keeps_forever(aurora, settings):
    settings.SEMAFORO = {**settings.SEMAFORO, "RETENTION_DAYS": 0, "RAW_RETENTION_DAYS": 0}
    case = _closed_case(aurora, days=4000)
    assert retention.retention_purge().comments_forgotten == 0
    assert case.comments.get().raw == {"text": TEXT}


def test_a_backlog_is_worked_in_batches(aurora, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 2)
    cases = [_closed_case(aurora, days=400) for _ in range(5)]
    assert retention.retention_purge().comments_forgotten == 5
    assert {c.comments.get().text for c in cases} == {"[…]"}


def test_export_records_are_deleted_after_their_window(sam):
    def record(days):
        row = ExportRecord.objects.create(actor=sam, kind="comments", masked=False)
        ExportRecord.objects.filter(pk=row.pk).update(started_at=_ago(days))
        return row

    old, recent = record(400), record(10)
    assert export_records_purge() == 1
    assert list(ExportRecord.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk not in ExportRecord.objects.values_list("pk", flat=True)


def test_the_windows_are_settings_parsed_strictly(tmp_path):
    started = _manage(tmp_path, "check", SEMAFORO_RETENTION_DAYS="a year")
    assert started.returncode != 0
    assert "SEMAFORO_RETENTION_DAYS must be an integer, got 'a year'" in started.stderr
    read = "from django.conf import settings; print(settings.SEMAFORO['RETENTION_DAYS'])"
    assert (
        _manage(tmp_path, "shell", "-c", read, SEMAFORO_RETENTION_DAYS="90").stdout.split()[-1]
        == "90"
    )
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["purge-retention"]["task"] == "comments.tasks.purge_retention"
    assert schedule["purge-export-records"]["task"] == "reports.tasks.purge_export_records"
