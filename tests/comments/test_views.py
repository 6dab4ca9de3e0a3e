import pytest
from django.urls import reverse

from cases import workflow
from cases.models import AuditAction, AuditEvent
from comments.models import Classification, Comment, CommentRevision
from core.taxonomy import Category, Level
from crisis.models import Escalation
from tests.factories import (
    GREEN_TEXT,
    RED_TEXT,
    ClassificationFactory,
    CommentFactory,
    case_with_comment,
    comment_item,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed_queue(ingest):
    results = ingest(
        [
            comment_item(text=GREEN_TEXT, posted_at="2026-11-23T08:00:00Z"),
            comment_item(
                text="pinche banco de mierda, me cobraron dos veces y nadie responde!!!",
                posted_at="2026-11-23T09:00:00Z",
            ),
            comment_item(text=RED_TEXT, posted_at="2026-11-23T10:00:00Z"),
            comment_item(text=RED_TEXT + " otra vez", posted_at="2026-11-23T07:00:00Z"),
        ]
    )
    return {r.external_id: r for r in results}


def test_queue_asks_for_login(client):
    response = client.get(reverse("queue"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_queue_is_red_first_then_oldest_first(client, alice, mixed_queue):
    client.force_login(alice)
    response = client.get(reverse("queue"))
    assert response.status_code == 200
    page = list(response.context["page"].object_list)
    ranks = [c.level_rank for c in page]
    assert ranks == sorted(ranks)
    reds = [c for c in page if c.level == "red"]
    assert [c.posted_at for c in reds] == sorted(c.posted_at for c in reds)
    assert page[0].level == "red"


def test_queue_filters_by_level(client, alice, mixed_queue):
    client.force_login(alice)
    response = client.get(reverse("queue-rows"), {"level": "red"})
    levels = {c.level for c in response.context["page"].object_list}
    assert levels == {"red"}


def test_the_queue_shows_the_models_doubtful_calls_for_a_person_to_look_at(client, alice, aurora):
    doubtful = CommentFactory(brand=aurora, uncertain=True, text="zero signal since noon")
    CommentFactory(brand=aurora, uncertain=False, text="me cobraron dos veces")
    corrected = CommentFactory(brand=aurora, uncertain=True, classified_by_human=True)
    client.force_login(alice)

    response = client.get(reverse("queue-rows"), {"uncertain": "true", "status": ""})

    assert [c.pk for c in response.context["page"].object_list] == [doubtful.pk]
    page = response.content.decode()
    assert f'data-comment-id="{doubtful.pk}"' in page
    assert 'class="tag uncertain"' in page
    assert f'data-comment-id="{corrected.pk}"' not in page


def test_queue_rows_partial_polls_itself(client, alice, mixed_queue):
    client.force_login(alice)
    html = client.get(reverse("queue-rows")).content.decode()
    assert 'hx-trigger="every' in html
    assert "<html" not in html


def test_queue_page_query_count_is_pinned(
    ingest, client, alice, mixed_queue, django_assert_max_num_queries
):
    ingest([comment_item(text=RED_TEXT) for _ in range(30)])
    client.force_login(alice)
    with django_assert_max_num_queries(8):
        client.get(reverse("queue-rows"))


def test_a_long_queue_is_counted_only_up_to_the_cap(ingest, client, alice, monkeypatch):
    from comments import views

    monkeypatch.setattr(views, "QUEUE_COUNT_CAP", 3)
    ingest([comment_item(text=RED_TEXT) for _ in range(5)])
    client.force_login(alice)
    response = client.get(reverse("queue-rows"))
    assert response.context["page"].paginator.is_capped
    assert len(response.context["page"].object_list) == 5
    assert "Más de 3 comentarios" in response.content.decode()
    monkeypatch.setattr(views, "QUEUE_COUNT_CAP", 5)
    response = client.get(reverse("queue-rows"))
    assert not response.context["page"].paginator.is_capped
    assert "5 comentarios" in response.content.decode()


def test_person_without_a_role_is_refused(client, mallory):
    client.force_login(mallory)
    assert client.get(reverse("queue")).status_code == 403


def test_api_client_cannot_open_the_dashboard(client, listener):
    client.force_login(listener)
    assert client.get(reverse("queue")).status_code == 403


def test_community_manager_cannot_reach_the_admin(client, alice):
    client.force_login(alice)
    response = client.get("/admin/comments/comment/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_comment_page_shows_reasons_and_history(client, alice, mixed_queue):
    red = next(r for r in mixed_queue.values() if r.level == "red")
    client.force_login(alice)
    html = client.get(reverse("comment-detail", args=[red.id])).content.decode()
    assert red.reasons[0]["signal"] in html
    assert "level-red" in html


def test_correction_is_stored_as_a_human_classification_with_an_audit_event(
    client, alice, mixed_queue
):
    green = next(r for r in mixed_queue.values() if r.level == "green")
    client.force_login(alice)
    response = client.post(
        reverse("comment-correct", args=[green.id]),
        {"category": "high_level", "level": "red", "note": "menciona SIC"},
    )
    assert response.status_code == 302
    comment = Comment.objects.get(pk=green.id)
    assert (comment.category, comment.level, comment.classified_by_human) == (
        "high_level",
        "red",
        True,
    )
    human = Classification.objects.get(comment=comment, is_human=True)
    assert human.decided_by == alice
    assert human.note == "menciona SIC"
    event = AuditEvent.objects.get(action="classification_corrected", comment=comment)
    assert event.before["level"] == "green"
    assert event.after["level"] == "red"
    assert Escalation.objects.filter(comment=comment).exists()


def test_correction_with_an_invalid_level_is_a_form_error(client, alice, mixed_queue):
    any_id = next(iter(mixed_queue.values())).id
    client.force_login(alice)
    response = client.post(
        reverse("comment-correct", args=[any_id]), {"category": "pqr", "level": "purple"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["level"]
    assert not Classification.objects.filter(is_human=True).exists()


def test_committee_member_may_read_but_not_correct(client, carla, mixed_queue):
    any_id = next(iter(mixed_queue.values())).id
    client.force_login(carla)
    assert client.get(reverse("comment-detail", args=[any_id])).status_code == 200
    response = client.post(
        reverse("comment-correct", args=[any_id]), {"category": "pqr", "level": "green"}
    )
    assert response.status_code == 403


def test_interface_speaks_spanish_by_default_and_english_on_request(client, alice):
    client.force_login(alice)
    assert "Cola en vivo" in client.get(reverse("queue")).content.decode()
    english = client.get(reverse("queue"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Live queue" in english.content.decode()


def test_the_queue_names_each_reason_in_words(client, alice, mixed_queue):
    client.force_login(alice)
    html = client.get(reverse("queue-rows"), headers={"Accept-Language": "en"}).content.decode()
    assert 'title="authority_mention">Authority or legal route</b>' in html
    spanish = client.get(reverse("queue-rows"), headers={"Accept-Language": "es"})
    assert ">Autoridad o vía legal</b>" in spanish.content.decode()


def test_a_ripple_members_reason_reads_in_spanish_on_its_page(client, alice, ingest):
    from tests.comments.test_ripple_intake import DOUBLE_CHARGE, _items

    items = _items(DOUBLE_CHARGE)
    founders, joiner = ingest(items[:10]), ingest(items[10:])[-1]
    client.force_login(alice)
    # One reason written when the ripple was found, one when a later batch joined it.
    for result in (founders[0], joiner):
        page = client.get(reverse("comment-detail", args=[result.id])).content.decode()
        assert "onda #" in page
        assert "comentarios sobre cobro doble" in page
        assert "cluster #" not in page


def test_comment_page_query_count_is_pinned(client, alice, sam, aurora, query_counts):
    """A comment's page reads its whole history, however long, in a fixed number of queries."""
    case = workflow.case_assign(
        case_id=case_with_comment(brand=aurora).pk, actor=sam, assignee=alice
    )
    comment = case.comments.get()

    def grow(n: int) -> None:
        for i in range(n):
            ClassificationFactory(comment=comment, is_human=True, decided_by=sam, note=str(i))
            AuditEvent.objects.create(
                comment=comment, actor=sam, action=AuditAction.CLASSIFICATION_CORRECTED
            )
            CommentRevision.objects.create(comment=comment, text=f"earlier text {i}")

    url = reverse("comment-detail", args=[comment.pk])
    client.force_login(alice)
    few, many = query_counts(lambda: client.get(url), grow)
    assert comment.classifications.count() == 7
    # session, user, 2 permission reads, 2 brand look-ups, the comment with its author, case,
    # assignee, escalation and brand, its classifications, its audit events, its earlier texts
    # (edits at the source), the brand switcher.
    assert (few, many) == (11, 11)


def test_monitor_list_query_count_is_pinned(client, alice, aurora, query_counts):
    """The monitor list reads a page of trolls' comments, however many, in fixed queries."""

    def grow(n: int) -> None:
        CommentFactory.create_batch(
            n, brand=aurora, author__is_troll=True, category=Category.INSULT, level=Level.GREEN
        )

    url = reverse("monitor")
    client.force_login(alice)
    few, many = query_counts(lambda: client.get(url), grow, n=5)
    assert len(client.get(url).context["page"].object_list) == 15
    # session, user, 2 permission reads, 2 brand look-ups, the page's count, the brand switcher,
    # the page's rows with their authors.
    assert (few, many) == (9, 9)
