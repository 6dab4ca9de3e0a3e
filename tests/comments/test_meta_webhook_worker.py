"""Meta deliveries on the real stack: webhook -> inbox row -> commit -> Redis -> worker -> queue."""

import time

import pytest

from brands.models import BrandAccount
from comments.models import Comment, WebhookDelivery
from core.taxonomy import Level
from tests.comments.meta_payloads import (
    PAGE_ID,
    SECRET,
    feed_comment,
    page_delivery,
    post_signed,
)
from tests.crisis.conftest import broker, celery_worker_factory  # noqa: F401
from tests.crisis.test_worker import broker_at
from tests.factories import RED_TEXT

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def aurora_page(aurora, settings):
    settings.META_APP_SECRET = SECRET
    BrandAccount.objects.create(
        brand=aurora, platform="facebook", handle="BancoAuroraMX", platform_account_id=PAGE_ID
    )
    return aurora


def wait_for_processed(delivery_id: int, worker, timeout: float = 40) -> WebhookDelivery:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
        if delivery.processed_at is not None:
            return delivery
        time.sleep(0.2)
    raise AssertionError(
        f"delivery {delivery_id} never processed ({delivery.last_error!r}); worker said:\n"
        + worker.stop()[-4000:]
    )


def test_a_signed_delivery_is_turned_into_a_red_comment_by_the_worker(
    client,
    aurora_page,
    celery_worker_factory,  # noqa: F811
):
    worker = celery_worker_factory()
    payload = page_delivery(feed_comment(comment_id="55501_7001", message=RED_TEXT))

    response = post_signed(client, payload)

    assert response.status_code == 200
    delivery = wait_for_processed(WebhookDelivery.objects.get().pk, worker)
    assert delivery.attempts == 1
    assert delivery.outcome == {"created": 1}
    comment = Comment.objects.get(platform="facebook", external_id="55501_7001")
    assert comment.level == Level.RED
    assert comment.case is not None

    replay = post_signed(client, payload)
    assert replay.status_code == 200
    wait_for_processed(WebhookDelivery.objects.latest("pk").pk, worker)
    assert Comment.objects.filter(external_id="55501_7001").count() == 1


def test_a_delivery_received_while_the_broker_is_down_is_processed_by_the_sweep(
    client,
    aurora_page,
    celery_worker_factory,  # noqa: F811
):
    payload = page_delivery(feed_comment(comment_id="55501_7002", message=RED_TEXT))
    with broker_at("redis://127.0.0.1:1/0"):
        response = post_signed(client, payload)
    assert response.status_code == 200, "acknowledged: the row is safe without the broker"
    delivery = WebhookDelivery.objects.get()
    assert delivery.processed_at is None

    worker = celery_worker_factory(
        beat=True, SEMAFORO_WEBHOOK_SWEEP_GRACE_S=0, SEMAFORO_WEBHOOK_SWEEP_INTERVAL_S=1
    )
    wait_for_processed(delivery.pk, worker, timeout=60)
    assert Comment.objects.filter(external_id="55501_7002", level=Level.RED).exists()
