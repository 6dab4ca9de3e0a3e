"""Uploads on the real stack: page -> ImportJob -> commit -> Redis -> worker -> comments, in
slices that hand on to each other, and the sweep for an upload whose message was lost."""

import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from comments.models import Comment, ImportJob
from crisis.models import Escalation
from tests.crisis.conftest import broker, celery_worker_factory  # noqa: F401
from tests.crisis.test_worker import broker_at
from tests.factories import GREEN_TEXT, RED_TEXT

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def wait_for_done(job_id: int, worker, timeout: float = 90) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ImportJob.objects.get(pk=job_id)
        if job.finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"import {job_id} never finished; worker said:\n{worker.stop()[-4000:]}")


def jsonl(n: int) -> bytes:
    lines = []
    for i in range(n):
        text = RED_TEXT if i == 0 else f"{GREEN_TEXT} {i}"
        item = {
            "platform": "twitter",
            "external_id": f"w-{i}",
            "text": text,
            "author_handle": f"@w{i % 50}",
            "posted_at": "2026-11-02T10:00:00Z",
        }
        lines.append(json.dumps(item))
    lines.insert(5, "not json")
    return ("\n".join(lines) + "\n").encode()


def upload(client, brand, content: bytes, name="history.jsonl"):
    return client.post(
        reverse("imports"), {"brand": brand.pk, "file": SimpleUploadedFile(name, content)}
    )


def test_an_upload_is_imported_by_the_worker_in_slices(
    client,
    sam,
    aurora,
    media,
    celery_worker_factory,  # noqa: F811
):
    # Slices of a second, batches of 500: a few thousand lines take several tasks.
    worker = celery_worker_factory(SEMAFORO_MEDIA_DIR=media, SEMAFORO_IMPORT_SLICE_S=1)
    client.force_login(sam)

    response = upload(client, aurora, jsonl(6000))

    assert response.status_code == 302
    job = wait_for_done(ImportJob.objects.get().pk, worker, timeout=240)
    assert job.state == "done", job.error
    assert (job.created, job.unchanged, job.rejected) == (6000, 0, 1)
    assert job.lines_done == job.lines_total == 6001
    assert Comment.objects.filter(brand=aurora).count() == 6000
    assert Comment.objects.get(external_id="w-0").level == "red"
    assert not Escalation.objects.exists(), "a red of the past calls nobody"
    output = worker.stop()
    assert output.count("comments.tasks.run_import") >= 2, "it handed on at least once"
    rejects = client.get(reverse("import-rejects", args=[job.pk]))
    assert b'"line":6' in b"".join(rejects.streaming_content)


def test_an_upload_whose_message_was_lost_is_sent_again_by_the_sweep(
    client,
    sam,
    aurora,
    media,
    celery_worker_factory,  # noqa: F811
):
    client.force_login(sam)
    with broker_at("redis://127.0.0.1:1/0"):
        response = upload(client, aurora, jsonl(20))
    assert response.status_code == 302, "kept: the row is safe without the broker"
    job = ImportJob.objects.get()
    assert job.state == "queued"

    worker = celery_worker_factory(
        beat=True,
        SEMAFORO_MEDIA_DIR=media,
        SEMAFORO_IMPORT_STALE_S=1,
        SEMAFORO_IMPORT_SWEEP_INTERVAL_S=1,
    )
    job = wait_for_done(job.pk, worker)
    assert (job.state, job.created, job.rejected) == ("done", 20, 1)
