"""In the browser: the committee member follows her acknowledgement link, lands in the crisis
room, watches the ripple grow without reloading, logs a decision and moves the crisis on."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from crisis.models import Crisis, CrisisStatus
from tests.comments.test_ripple_intake import DOUBLE_CHARGE, _items
from tests.crisis.helpers import escalate
from tests.e2e.test_live_queue import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_carla_acknowledges_and_runs_the_crisis_room(
    page, live_server, aurora, carla, settings, tmp_path
):
    settings.SEMAFORO = {**settings.SEMAFORO, "QUEUE_POLL_S": 1}
    escalate(aurora, _items(DOUBLE_CHARGE[:10]))
    crisis = Crisis.objects.get()
    [notice] = mail.outbox
    ack_path = re.search(r"(/crises/ack/[^\s]+/)", notice.body).group(1)

    page.goto(f"{live_server.url}{ack_path}")
    log_in(page, live_server.url, "carla")
    page.goto(f"{live_server.url}{ack_path}")
    page.get_by_role("button", name="Me ocupo: confirmar recepción").click()
    expect(page.locator(".messages")).to_contain_text("Recepción confirmada")
    expect(page.get_by_role("heading", name=re.compile(f"Crisis #{crisis.pk}"))).to_be_visible()
    expect(page.locator('[data-figure="authors"]')).to_have_text("10")
    expect(page.locator("svg.spread-chart rect")).to_have_count(10)

    # Two more people repeat the complaint: the room shows it without a reload.
    escalate(
        aurora,
        _items(
            DOUBLE_CHARGE[10:],
            prefix="late",
            start=timezone.now() - timedelta(minutes=3),
            step_minutes=1,
        ),
    )
    expect(page.locator('[data-figure="authors"]')).to_have_text("12", timeout=20_000)

    page.get_by_label("Qué se decidió").fill("Devolver hoy cada cobro doble")
    page.get_by_role("button", name="Registrar decisión").click()
    expect(page.locator(".decisions")).to_contain_text("Devolver hoy cada cobro doble")
    page.get_by_role("button", name="Marcar como Respondiendo").click()
    expect(page.locator(".pagehead .status")).to_have_text("Respondiendo")
    page.screenshot(path=str(tmp_path / "crisis-room.png"), full_page=True)
    crisis.refresh_from_db()
    assert crisis.status == CrisisStatus.RESPONDING
    assert crisis.acknowledged_by == carla
