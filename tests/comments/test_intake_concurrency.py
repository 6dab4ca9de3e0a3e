"""Two batches at once: intake waits for the other's rows instead of failing or duplicating."""

import logging
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from cases.models import Case, CaseStatus
from comments.models import Author, Comment
from core.taxonomy import Level
from tests.factories import GREEN_TEXT, RED_TEXT, comment_item

pytestmark = pytest.mark.django_db(transaction=True)

PRAISE = "Excelente atencion en la sucursal, muchas gracias!"


def _in_thread(target):
    """Run ``target`` on its own connection, as another request would; returns its outcome."""
    outcome = {}

    def run():
        try:
            outcome["value"] = target()
        except Exception as error:  # noqa: BLE001 (reported to the test)
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _wait_until_blocked_on_a_lock(timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                "current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the batch never waited for the other transaction")


def test_a_case_opened_by_a_concurrent_batch_is_joined_not_retried(ingest, caplog):
    caplog.set_level(logging.INFO, logger="comments.intake")
    [praise] = ingest([comment_item(author_handle="@both", text=PRAISE)])
    assert praise.category == "other"  # an author, and no case yet
    author = Author.objects.get(handle="@both")
    other_opened, other_may_commit = threading.Event(), threading.Event()

    def other_batch_opens_the_case():
        with transaction.atomic():
            case = Case.objects.create(
                brand_id=author.brand_id,
                author=author,
                thread_key="",
                status=CaseStatus.NEW,
                category="pqr",
                level=Level.GREEN,
                level_rank=Level.GREEN.rank,
                response_due_at=timezone.now() + timedelta(days=1),
                resolution_due_at=timezone.now() + timedelta(days=3),
            )
            other_opened.set()
            other_may_commit.wait(10)
        return case.pk

    other, other_result = _in_thread(other_batch_opens_the_case)
    assert other_opened.wait(10), other_result
    ours, our_result = _in_thread(
        lambda: ingest([comment_item(author_handle="@both", text=RED_TEXT)])
    )
    _wait_until_blocked_on_a_lock()
    other_may_commit.set()
    other.join(10)
    ours.join(20)

    assert "error" not in our_result, our_result.get("error")
    [result] = our_result["value"]
    case = Case.objects.get(author=author)  # one open case, the other batch's
    assert case.pk == other_result["value"]
    assert Comment.objects.get(pk=result.id).case_id == case.pk
    assert (case.level, result.level) == (Level.RED, Level.RED)  # raised by our red
    assert not case.audit_events.filter(action="case_opened").exists()  # we did not open it
    assert "retrying" not in caplog.text  # the batch ran once


def test_batches_sharing_authors_all_land_once(ingest):
    handles = [f"@shared_{n}" for n in range(8)]

    def batch(tag):
        return lambda: ingest(
            [
                comment_item(
                    external_id=f"{tag}-{n}",
                    author_handle=handle,
                    text=RED_TEXT if n % 2 else GREEN_TEXT,
                )
                for n, handle in enumerate(handles * 3)
            ]
        )

    runs = [_in_thread(batch(tag)) for tag in ("a", "b", "c", "d")]
    for thread, _ in runs:
        thread.join(60)

    assert [outcome.get("error") for _, outcome in runs] == [None] * 4
    assert Comment.objects.count() == 4 * len(handles) * 3
    assert Author.objects.filter(handle__in=handles).count() == len(handles)
    for author in Author.objects.filter(handle__in=handles):
        open_cases = list(
            Case.objects.filter(author=author).exclude(
                status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED]
            )
        )
        negative = Comment.objects.filter(author=author).exclude(category="other")
        assert len(open_cases) == (1 if negative.exists() else 0)
        assert set(negative.values_list("case_id", flat=True)) <= {c.pk for c in open_cases}
