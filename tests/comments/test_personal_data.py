"""Personal data a customer types into a comment: found at intake, kept out of the raw payload,
shown in full to the brand's people who work cases and masked for everyone else (the queue,
the case pages, the API)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from classifier import CommentInput
from comments import classification
from comments.models import Comment, CommentRevision
from comments.revisions import comment_edit_at_source
from tests.factories import comment_item, sign_in

pytestmark = pytest.mark.django_db

TEXT = (
    "Me cobraron dos veces la cuota, escríbanme a lucia.ramirez@gmail.com o al 300 123 4567; "
    "mi pedido 3001234567 sigue sin llegar"
)
MASKED = (
    "Me cobraron dos veces la cuota, escríbanme a lu***@gm***.com o al ***4567; "
    "mi pedido 3001234567 sigue sin llegar"
)


@pytest.fixture
def stored(ingest):
    [result] = ingest([comment_item(text=TEXT, author_display_name="Lucía Ramírez")])
    return Comment.objects.get(pk=result.id)


def test_intake_stores_where_the_personal_data_is_and_keeps_it_out_of_the_raw_payload(stored):
    assert [(TEXT[s:e], kind) for s, e, kind in stored.pii] == [
        ("lucia.ramirez@gmail.com", "email"),
        ("300 123 4567", "phone"),
    ]
    assert stored.text == TEXT
    assert stored.raw["text"] == MASKED
    assert stored.raw["author_display_name"] == "Lucía Ramírez"  # a name is not detected


def test_the_classifier_reads_the_original_text(stored, aurora):
    [decision] = classification.classify(
        [CommentInput(text=TEXT, platform="twitter", author_followers=150)], brand=aurora
    )
    assert (stored.category, stored.level, stored.confidence) == (
        decision.category,
        decision.level,
        round(decision.confidence, 4),
    )


def test_a_comment_without_personal_data_keeps_its_payload_as_sent(ingest):
    item = comment_item(text="Pedido 3001234567 del 12/05/2024 por $1.250.000, ¿dónde está?")
    [result] = ingest([item])
    comment = Comment.objects.get(pk=result.id)
    assert (comment.pii, comment.raw) == ([], item)


def test_the_queue_masks_it_for_the_committee_and_shows_it_to_who_works_cases(
    client, stored, alice, carla
):
    sign_in(client, "carla")
    html = client.get(reverse("queue-rows")).content.decode()
    assert "lu***@gm***.com" in html
    assert "***4567" in html
    assert "lucia.ramirez@gmail.com" not in html
    assert "300 123 4567" not in html
    sign_in(client, "alice")
    html = client.get(reverse("queue-rows")).content.decode()
    assert "lucia.ramirez@gmail.com" in html


def test_the_comment_and_case_pages_mask_it_too(client, stored, carla, alice):
    sign_in(client, "carla")
    html = client.get(reverse("comment-detail", args=[stored.pk])).content.decode()
    assert "lu***@gm***.com" in html
    assert "lucia.ramirez@gmail.com" not in html
    sign_in(client, "alice")
    html = client.get(reverse("case-detail", args=[stored.case_id])).content.decode()
    assert "lucia.ramirez@gmail.com" in html
    html = client.get(reverse("cases")).content.decode()
    assert "lucia.ramirez@gmail.com" in html


def test_the_api_masks_it_for_a_rest_client_and_shows_it_on_a_workers_personal_token(
    api, stored, alice, aurora
):
    [row] = api.get("/api/v1/comments/").json()["results"]
    assert row["text"] == MASKED
    assert api.get(f"/api/v1/comments/{stored.pk}/").json()["text"] == MASKED
    _, raw = ApiToken.issue(user=alice, name="alice", brand=aurora)
    personal = APIClient()
    personal.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert personal.get(f"/api/v1/comments/{stored.pk}/").json()["text"] == TEXT


def test_a_search_cannot_tell_who_wrote_a_masked_number(api, client, stored, alice, carla, aurora):
    """Searching for a phone number must not find the comment that holds it for a reader who
    sees it masked; its words still match, and the people who work cases find it by the number."""
    search = "/api/v1/comments/?q={}"
    assert api.get(search.format("4567")).json()["results"] == []
    assert api.get(search.format("lucia.ramirez@")).json()["results"] == []
    assert len(api.get(search.format("cobraron")).json()["results"]) == 1
    _, raw = ApiToken.issue(user=alice, name="alice", brand=aurora)
    personal = APIClient()
    personal.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert len(personal.get(search.format("4567")).json()["results"]) == 1
    sign_in(client, "carla")
    queue = reverse("queue-rows")
    assert "cobraron" not in client.get(queue, {"q": "123 4567"}).content.decode()
    assert "cobraron" in client.get(queue, {"q": "cuota"}).content.decode()
    sign_in(client, "alice")
    assert "cobraron" in client.get(queue, {"q": "123 4567"}).content.decode()


def test_an_edit_at_the_source_finds_the_personal_data_of_the_new_text(
    stored, aurora, client, carla
):
    item = {
        "platform": stored.platform,
        "external_id": stored.external_id,
        "author_handle": stored.author.handle,
        "text": "Ya no hace falta, borré mi correo; llamen al +57 310 987 6543",
    }
    comment_edit_at_source(item=item, brand_id=aurora.pk)
    stored.refresh_from_db()
    assert [kind for _s, _e, kind in stored.pii] == ["phone"]
    assert CommentRevision.objects.get(comment=stored).text == TEXT
    sign_in(client, "carla")
    html = client.get(reverse("comment-detail", args=[stored.pk])).content.decode()
    assert "+57 310 987 6543" not in html
    assert "lucia.ramirez@gmail.com" not in html
    assert "***6543" in html
    assert "lu***@gm***.com" in html
