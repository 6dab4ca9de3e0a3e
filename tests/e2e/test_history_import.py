"""A supervisor uploads a brand's export in the browser; a real worker imports it while the page
follows its progress, up to the summary and the rejects to download."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from crisis.models import Escalation
from tests.crisis.conftest import broker, celery_worker_factory  # noqa: F401
from tests.e2e.test_live_queue import log_in, open_from_menu
from tests.factories import RED_TEXT

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

EXPORT = (
    "platform,external_id,text,author_handle,likes,posted_at\n"
    "twitter,e-1,Hola a que hora abren la sucursal del centro?,@ana,2,2026-11-02T10:00:00Z\n"
    f'twitter,e-2,"{RED_TEXT}",@luis,0,2026-11-02T10:05:00Z\n'
    "twitter,e-3,me cobraron dos veces la cuota,@sol,muchos,2026-11-02T10:06:00Z\n"
    "twitter,e-4,Buenas tardes necesito el extracto de octubre,@eva,0,2026-11-02T10:07:00Z\n"
)


def test_a_supervisor_uploads_a_csv_and_sees_the_import_reach_done(
    page,
    live_server,
    sam,
    settings,
    tmp_path,
    celery_worker_factory,  # noqa: F811
):
    settings.MEDIA_ROOT = tmp_path / "media"
    celery_worker_factory(SEMAFORO_MEDIA_DIR=settings.MEDIA_ROOT)
    export = tmp_path / "octubre.csv"
    export.write_text(EXPORT)

    log_in(page, live_server.url, "sam")
    open_from_menu(page, "Gestión", "Importar historial")
    expect(page.get_by_role("heading", name="Importar historial")).to_be_visible()
    page.get_by_label("Archivo").set_input_files(str(export))
    page.get_by_role("button", name="Importar", exact=True).click()

    expect(page.get_by_role("heading", name="Importación de octubre.csv")).to_be_visible()
    progress = page.locator("#import-progress")
    # The section polls itself while the worker imports.
    expect(progress.locator(".import-state")).to_contain_text("Terminada", timeout=60_000)
    expect(progress.locator("#import-created")).to_have_text("3")
    expect(progress.locator("#import-unchanged")).to_have_text("0")
    expect(progress.locator("#import-rejected")).to_have_text("1")
    expect(progress.locator(".import-lines")).to_contain_text("Línea 5 de 5 (100 %)")
    expect(progress.locator(".import-summary")).to_contain_text("3 comentarios creados")
    page.screenshot(path=str(tmp_path / "import.png"), full_page=True)

    with page.expect_download() as download_info:
        progress.locator("#import-rejects").click()
    download = download_info.value
    assert download.suggested_filename == "octubre.rejects.jsonl"
    [reject] = [json.loads(line) for line in Path(download.path()).read_text().splitlines()]
    assert reject["line"] == 4
    assert reject["errors"] == [{"field": "likes", "message": "must be an integer"}]

    assert Comment.objects.get(external_id="e-2").level == "red"
    assert not Escalation.objects.exists()
