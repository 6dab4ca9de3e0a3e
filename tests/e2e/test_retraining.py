"""A supervisor corrects a comment in the browser, presses "Retrain", and a real worker trains
the brand's model: the same text then arrives classified as the person said."""

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from comments.models import ClassifierVersion, Comment
from tests.crisis.conftest import broker, celery_worker_factory  # noqa: F401
from tests.e2e.test_live_queue import log_in, open_from_menu, push
from tests.factories import comment_item

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
MATTRESS = "el colchón que compré se hundió en el centro a los dos meses"


def _decision(base_url: str, token: str, external_id: str) -> dict:
    request = urllib.request.Request(
        f"{base_url}/api/v1/comments/?platform=twitter",
        headers={"Authorization": f"Token {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        listed = json.load(response)["results"]
    return next(item for item in listed if item["external_id"] == external_id)


def test_a_correction_and_a_retrain_from_the_page_change_the_decision_on_that_text(
    page,
    live_server,
    sam,
    listener_token,
    celery_worker_factory,  # noqa: F811
):
    celery_worker_factory()
    push(live_server.url, listener_token, [comment_item(text=MATTRESS, external_id="first")])
    assert _decision(live_server.url, listener_token, "first")["category"] == "other"
    comment = Comment.objects.get(external_id="first")

    log_in(page, live_server.url, "sam")
    page.goto(f"{live_server.url}/comments/{comment.pk}/")
    page.locator("#id_category").select_option("pqr")
    page.locator("#id_level").select_option("green")
    page.get_by_role("button", name="Guardar corrección").click()
    expect(page.locator(".messages")).to_be_visible()

    open_from_menu(page, "Gestión", "Clasificador")
    section = page.locator(f"#brand-models-{comment.brand_id}")
    expect(section.locator(".corrections-since")).to_contain_text("1 corrección")
    section.get_by_role("button", name="Reentrenar con las correcciones").click()
    expect(section.get_by_role("status")).to_be_visible()
    # The section polls itself; training takes about half a minute on an idle core.
    expect(section.locator(".active-model b")).to_be_visible(timeout=240_000)

    active = ClassifierVersion.objects.get(state=ClassifierVersion.State.ACTIVE)
    expect(section.locator(".active-model")).to_contain_text(active.version)
    expect(section.locator(f"#version-{active.pk}")).to_contain_text("sam")
    push(live_server.url, listener_token, [comment_item(text=MATTRESS, external_id="second")])
    decision = _decision(live_server.url, listener_token, "second")
    assert (decision["category"], decision["model_version"]) == ("pqr", active.version)
