"""The history import page: who may upload, for which brand, and what the page shows of a job.

The job itself runs here in the test's process (``importing.job_continue``, the task's body);
tests/comments/test_import_worker.py runs it on a real worker."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from brands.grants import grant_role
from brands.roles import Role
from comments import importing
from comments.models import Comment, ImportJob
from tests.conftest import _person
from tests.factories import GREEN_TEXT

pytestmark = pytest.mark.django_db

CSV = (
    "platform,external_id,text,author_handle,likes\n"
    f"twitter,u-1,{GREEN_TEXT.replace(',', '')},@ana,3\n"
    "twitter,u-2,Hola cuando abren?,@luis,-1\n"
    "twitter,u-3,Buenas tardes necesito ayuda con mi tarjeta,@sol,0\n"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def sofia(rapimenu):
    return _person("sofia", Role.SUPERVISOR, rapimenu)


def upload(client, brand, content: str = CSV, name: str = "export.csv", **extra):
    return client.post(
        reverse("imports"),
        {"brand": brand.pk, "file": SimpleUploadedFile(name, content.encode()), **extra},
    )


def test_a_supervisor_sees_the_page_in_spanish_and_english(client, sam):
    client.force_login(sam)
    page = client.get(reverse("imports"))
    assert page.status_code == 200
    assert "Importar historial" in page.content.decode()
    client.cookies["django_language"] = "en"
    assert "Upload a file" in client.get(reverse("imports")).content.decode()


@pytest.mark.parametrize("person", ["alice", "carla", "mallory"])
def test_only_supervisors_may_import(client, request, person):
    client.force_login(request.getfixturevalue(person))
    assert client.get(reverse("imports")).status_code == 403


def test_signing_in_comes_first(client, aurora):
    response = client.get(reverse("imports"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_upload_is_kept_as_a_queued_job_and_the_worker_imports_it(
    client, sam, aurora, django_capture_on_commit_callbacks
):
    client.force_login(sam)
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(client, aurora)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("import-detail", args=[job.pk])
    assert len(callbacks) == 1, "the worker is sent for once the job is committed"
    assert (job.brand, job.requested_by, job.source, job.state) == (aurora, sam, "upload", "queued")
    assert job.file.read().decode() == CSV
    queued = client.get(reverse("import-progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in queued

    assert importing.job_continue(job.pk) is True

    job.refresh_from_db()
    assert (job.state, job.created, job.unchanged, job.rejected) == ("done", 2, 0, 1)
    assert Comment.objects.filter(brand=aurora).count() == 2
    done = client.get(reverse("import-progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in done, "a finished job stops polling"
    assert 'id="import-created">2<' in done
    assert reverse("import-rejects", args=[job.pk]) in done
    rejects = client.get(reverse("import-rejects", args=[job.pk]))
    assert rejects.status_code == 200
    assert 'filename="export.rejects.jsonl"' in rejects["Content-Disposition"]
    [reject] = [json.loads(line) for line in b"".join(rejects.streaming_content).splitlines()]
    assert reject["line"] == 3
    assert reject["errors"] == [{"field": "likes", "message": "must be zero or more"}]
    listing = client.get(reverse("imports")).content.decode()
    assert f'id="job-{job.pk}"' in listing


def test_another_brands_imports_are_not_found(client, sam, sofia, aurora):
    client.force_login(sam)
    upload(client, aurora)
    job = ImportJob.objects.get()
    importing.job_continue(job.pk)

    client.force_login(sofia)
    for name in ("import-detail", "import-progress", "import-rejects"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert f'id="job-{job.pk}"' not in client.get(reverse("imports")).content.decode()


def test_a_supervisor_cannot_upload_into_another_brand(client, sam, rapimenu):
    client.force_login(sam)
    response = upload(client, rapimenu)
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_a_supervisor_of_two_brands_chooses_one(client, sam, aurora, rapimenu):
    grant_role(sam, Role.SUPERVISOR, brand=rapimenu)
    client.force_login(sam)
    upload(client, rapimenu)
    assert ImportJob.objects.get().brand == rapimenu


def test_a_file_that_cannot_be_read_as_asked_is_refused_on_the_page(client, sam, aurora):
    client.force_login(sam)
    refused = upload(client, aurora, content="id,message,user\n1,hola,@ana\n")
    assert refused.status_code == 400
    assert "id, message, user" in refused.content.decode()
    assert not ImportJob.objects.exists()

    mapped = upload(
        client,
        aurora,
        content="id,message,user,platform\n1,hola,@ana,twitter\n",
        mapping="id=external_id\r\nmessage=text\r\nuser=author_handle",
    )
    assert mapped.status_code == 302
    assert ImportJob.objects.get().mapping == {
        "id": "external_id",
        "message": "text",
        "user": "author_handle",
    }


def test_a_bad_mapping_or_extension_is_named(client, sam, aurora):
    client.force_login(sam)
    bad_map = upload(client, aurora, mapping="id=identifier")
    assert bad_map.status_code == 400
    assert "identifier" in bad_map.content.decode()
    wrong = upload(client, aurora, name="export.xlsx")
    assert wrong.status_code == 400
    assert "export.xlsx" in wrong.content.decode()
    assert not ImportJob.objects.exists()


def test_the_commands_imports_show_on_the_page_without_a_download(client, sam, aurora, tmp_path):
    from django.core.management import call_command

    source = tmp_path / "cli.jsonl"
    source.write_text('{"nope": 1}\n')
    call_command("import_comments", str(source), "--brand", "aurora", stdout=None)
    job = ImportJob.objects.get()
    client.force_login(sam)
    page = client.get(reverse("import-detail", args=[job.pk])).content.decode()
    assert str(tmp_path / "cli.jsonl.rejects.jsonl") in page
    assert client.get(reverse("import-rejects", args=[job.pk])).status_code == 404


def test_the_sweep_sends_again_an_upload_left_waiting(client, sam, aurora):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(sam)
    upload(client, aurora)
    job = ImportJob.objects.get()
    assert importing.imports_sweep() == []
    later = timezone.now() + timedelta(minutes=10)
    assert importing.imports_sweep(now=later) == [job.pk]
    assert importing.imports_sweep(now=later) == [], "touched: not sent twice in a row"
