"""Meta's webhook: the handshake, the signature, and deliveries turned into comments."""

from datetime import timedelta

import pytest
from django.utils import timezone

from brands.models import BrandAccount
from comments.connectors import inbox
from comments.models import Comment, CommentRevision, WebhookDelivery
from core.queueing import MAX_ATTEMPTS
from core.taxonomy import Level
from crisis.models import Escalation
from tests.comments.meta_payloads import (
    IG_ACCOUNT_ID,
    PAGE_ID,
    SECRET,
    VERIFY_TOKEN,
    feed_comment,
    instagram_delivery,
    page_delivery,
    post_signed,
)
from tests.factories import GREEN_TEXT, RED_TEXT

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def meta_configured(settings):
    settings.META_APP_SECRET = SECRET
    settings.META_VERIFY_TOKEN = VERIFY_TOKEN


@pytest.fixture
def aurora_on_meta(aurora):
    BrandAccount.objects.create(
        brand=aurora, platform="facebook", handle="BancoAuroraMX", platform_account_id=PAGE_ID
    )
    BrandAccount.objects.create(
        brand=aurora,
        platform="instagram",
        handle="@bancoaurora",
        platform_account_id=IG_ACCOUNT_ID,
    )
    return aurora


def deliver(client, payload) -> WebhookDelivery:
    """POST a signed delivery, then run the worker's step on it, as the task would."""
    response = post_signed(client, payload)
    assert response.status_code == 200, response.content
    delivery = WebhookDelivery.objects.latest("pk")
    inbox.delivery_process(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


# --- handshake ------------------------------------------------------------------------------


def test_the_verification_handshake_answers_the_challenge_as_plain_text(client):
    response = client.get(
        "/webhooks/meta/",
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"1158201444"


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "<b>x</b>"},
    ],
)
def test_a_wrong_handshake_is_refused_with_403(client, params):
    response = client.get("/webhooks/meta/", params)
    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == "hub.verify_token"


def test_an_unconfigured_desk_refuses_the_handshake_and_every_delivery(client, settings):
    settings.META_VERIFY_TOKEN = ""
    settings.META_APP_SECRET = ""
    handshake = client.get(
        "/webhooks/meta/", {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
    )
    assert handshake.status_code == 403
    payload = page_delivery(feed_comment(comment_id="1_1", message=GREEN_TEXT))
    assert post_signed(client, payload, secret="").status_code == 403
    assert not WebhookDelivery.objects.exists()


# --- signature ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "signature",
    ["", "sha256=" + "0" * 64, "sha1=abc", "sha256=not-hex"],
    ids=["missing", "wrong", "other-algorithm", "garbage"],
)
def test_an_unsigned_or_badly_signed_delivery_is_refused_and_nothing_is_stored(
    client, aurora_on_meta, signature
):
    payload = page_delivery(feed_comment(comment_id="1_2", message=RED_TEXT))
    response = post_signed(client, payload, signature=signature)
    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == "X-Hub-Signature-256"
    assert not WebhookDelivery.objects.exists()
    assert not Comment.objects.exists()


def test_a_body_signed_with_another_secret_is_refused(client, aurora_on_meta):
    payload = page_delivery(feed_comment(comment_id="1_3", message=RED_TEXT))
    assert post_signed(client, payload, secret="someone-elses").status_code == 403
    assert not WebhookDelivery.objects.exists()


# --- deliveries -----------------------------------------------------------------------------


def test_a_signed_page_comment_becomes_a_classified_comment_in_the_queue(
    client, aurora_on_meta, alice
):
    delivery = deliver(
        client, page_delivery(feed_comment(comment_id="55501_9001", message=RED_TEXT))
    )
    assert delivery.processed_at is not None
    assert delivery.outcome == {"created": 1}
    comment = Comment.objects.get(platform="facebook", external_id="55501_9001")
    assert comment.brand == aurora_on_meta
    assert comment.level == Level.RED
    assert comment.author.handle == "2718281828"
    assert comment.author.display_name == "Lucía Ramírez"
    assert comment.account == "BancoAuroraMX"
    assert comment.posted_at.timestamp() == 1_764_670_000
    assert comment.case is not None
    assert Escalation.objects.filter(comment=comment).exists()
    client.force_login(alice)
    assert "PROFECO" in client.get("/queue/rows/").content.decode()


def test_an_instagram_comment_is_routed_by_the_account_id(client, aurora_on_meta):
    delivery = deliver(client, instagram_delivery(comment_id="17865799348089039", text=GREEN_TEXT))
    assert delivery.processed_at is not None
    comment = Comment.objects.get(platform="instagram", external_id="17865799348089039")
    assert comment.brand == aurora_on_meta
    assert comment.author.handle == "cliente.feliz"
    assert comment.text == GREEN_TEXT


def test_a_replayed_delivery_makes_one_comment(client, aurora_on_meta):
    payload = page_delivery(feed_comment(comment_id="55501_9002", message=GREEN_TEXT))
    deliver(client, payload)
    replay = deliver(client, payload)
    assert replay.processed_at is not None
    assert replay.outcome == {"unchanged": 1}
    assert Comment.objects.filter(external_id="55501_9002").count() == 1
    assert WebhookDelivery.objects.count() == 2, "each delivery is kept as received"


def test_processing_a_delivery_twice_does_nothing_the_second_time(client, aurora_on_meta):
    delivery = deliver(
        client, page_delivery(feed_comment(comment_id="55501_9003", message=GREEN_TEXT))
    )
    assert inbox.delivery_process(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_a_reply_to_a_comment_joins_its_thread(client, aurora_on_meta):
    deliver(client, page_delivery(feed_comment(comment_id="55501_1", message=GREEN_TEXT)))
    deliver(
        client,
        page_delivery(feed_comment(comment_id="55501_2", message=GREEN_TEXT, parent_id="55501_1")),
    )
    reply = Comment.objects.get(external_id="55501_2")
    assert reply.in_reply_to == "55501_1"
    top = Comment.objects.get(external_id="55501_1")
    assert top.in_reply_to == ""


def test_an_edit_keeps_the_old_text_in_the_history_and_can_raise_the_level(client, aurora_on_meta):
    deliver(client, page_delivery(feed_comment(comment_id="55501_9004", message=GREEN_TEXT)))
    comment = Comment.objects.get(external_id="55501_9004")
    assert comment.level != Level.RED

    edited = deliver(
        client,
        page_delivery(feed_comment(comment_id="55501_9004", message=RED_TEXT, verb="edited")),
    )

    assert edited.outcome == {"edited": 1}
    comment.refresh_from_db()
    assert comment.text == RED_TEXT
    assert comment.level == Level.RED
    assert comment.case.level == Level.RED
    assert [r.text for r in comment.revisions.all()] == [GREEN_TEXT]
    assert Escalation.objects.filter(comment=comment).exists()


def test_a_softer_edit_never_lowers_what_the_desk_saw(client, aurora_on_meta):
    deliver(client, page_delivery(feed_comment(comment_id="55501_9005", message=RED_TEXT)))
    deliver(
        client,
        page_delivery(feed_comment(comment_id="55501_9005", message=GREEN_TEXT, verb="edited")),
    )
    comment = Comment.objects.get(external_id="55501_9005")
    assert comment.text == GREEN_TEXT
    assert comment.level == Level.RED
    assert CommentRevision.objects.get(comment=comment).text == RED_TEXT


def test_a_replayed_edit_records_one_revision(client, aurora_on_meta):
    deliver(client, page_delivery(feed_comment(comment_id="55501_9006", message=GREEN_TEXT)))
    edit = page_delivery(
        feed_comment(comment_id="55501_9006", message="Ya no abren?", verb="edited")
    )
    deliver(client, edit)
    deliver(client, edit)
    assert CommentRevision.objects.filter(comment__external_id="55501_9006").count() == 1


def test_an_edit_of_a_comment_never_seen_arrives_as_new(client, aurora_on_meta):
    delivery = deliver(
        client,
        page_delivery(feed_comment(comment_id="55501_9007", message=GREEN_TEXT, verb="edited")),
    )
    assert delivery.outcome == {"created": 1}
    assert Comment.objects.get(external_id="55501_9007").text == GREEN_TEXT


def test_a_removal_marks_the_comment_deleted_and_keeps_it_in_its_case(
    client, aurora_on_meta, alice
):
    deliver(client, page_delivery(feed_comment(comment_id="55501_9008", message=RED_TEXT)))
    case_id = Comment.objects.get(external_id="55501_9008").case_id

    removed = deliver(client, page_delivery(feed_comment(comment_id="55501_9008", verb="remove")))

    assert removed.outcome == {"removed": 1}
    comment = Comment.objects.get(external_id="55501_9008")
    assert comment.deleted_at_source is not None
    assert comment.text == RED_TEXT
    assert comment.case_id == case_id
    client.force_login(alice)
    page = client.get(f"/comments/{comment.pk}/").content.decode()
    assert "PROFECO" in page
    assert "Deleted at the source" in page or "Borrado en la plataforma" in page


def test_the_pages_own_replies_are_not_triaged(client, aurora_on_meta):
    delivery = deliver(
        client,
        page_delivery(feed_comment(comment_id="55501_9009", message="Gracias!", author_id=PAGE_ID)),
    )
    assert delivery.outcome == {"ignored": 1}
    assert not Comment.objects.exists()


def test_other_feed_changes_are_ignored(client, aurora_on_meta):
    reaction = {"field": "feed", "value": {"item": "reaction", "verb": "add", "post_id": "1_2"}}
    delivery = deliver(client, page_delivery(reaction))
    assert delivery.processed_at is not None
    assert delivery.outcome == {"ignored": 1}


def test_an_unknown_page_is_stored_with_a_clear_error_and_retried_later(client, aurora_on_meta):
    payload = page_delivery(
        feed_comment(comment_id="9_1", message=GREEN_TEXT, page_id="999"), page_id="999"
    )
    delivery = deliver(client, payload)

    assert delivery.processed_at is None
    assert "no brand account holds the facebook account id '999'" in delivery.last_error
    assert delivery.next_attempt_at > delivery.received_at
    assert not Comment.objects.exists()

    BrandAccount.objects.create(
        brand=aurora_on_meta, platform="facebook", handle="AuroraOtra", platform_account_id="999"
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=5)
    )
    assert inbox.deliveries_sweep() == 1
    assert inbox.delivery_process(delivery_id=delivery.pk) is True
    assert Comment.objects.get(external_id="9_1").account == "AuroraOtra"


def test_one_bad_change_fails_alone_and_the_others_reach_the_desk(client, aurora_on_meta):
    good = feed_comment(comment_id="55501_9010", message=GREEN_TEXT)
    bad = feed_comment(comment_id="55501_9011", message="   ")
    delivery = deliver(client, page_delivery(good, bad))
    assert delivery.processed_at is None
    assert delivery.outcome == {"created": 1, "failed": 1}
    assert delivery.last_error == "change 1: text: must not be empty"
    assert Comment.objects.filter(external_id="55501_9010").exists()


def test_a_delivery_that_keeps_failing_waits_for_a_person(client, aurora_on_meta):
    payload = page_delivery(
        feed_comment(comment_id="8_1", message=GREEN_TEXT, page_id="8"), page_id="8"
    )
    delivery = deliver(client, payload)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=MAX_ATTEMPTS - 1)
    inbox.delivery_process(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.attempts == MAX_ATTEMPTS
    assert delivery.next_attempt_at is None
    assert delivery.last_error
    assert inbox.deliveries_sweep() == 0


def test_a_body_that_is_not_meta_json_is_kept_with_its_reason(client, aurora_on_meta):
    from comments.connectors.meta import signature_of

    body = b"not json at all"
    response = client.post(
        "/webhooks/meta/",
        data=body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature_of(body, secret=SECRET)},
    )
    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert inbox.delivery_process(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert bytes(delivery.body) == body
    assert delivery.last_error.startswith("JSONDecodeError")
    assert delivery.next_attempt_at is None
