"""A person's word over the model's: a corrected comment's case follows it; a troll is
monitored, not fed, and unflagging them needs a reason. Each change is audited."""

import pytest
from django.urls import reverse
from django.utils import translation

from cases.models import AuditEvent, Case
from comments import corrections
from comments.models import Author, Comment
from core.errors import DomainError
from core.taxonomy import Level
from crisis.models import Escalation
from tests.factories import GREEN_TEXT as GREEN_QUESTION
from tests.factories import comment_item

pytestmark = pytest.mark.django_db
CLAIM = "Me cobraron dos veces la cuota de este mes, pueden revisar por favor?"
INSULT = "son unos inutiles y unos payasos, dan asco"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _case(ingest, text=CLAIM, **extra) -> Case:
    [result] = ingest([comment_item(text=text, **extra)])
    return Comment.objects.get(pk=result.id).case


def test_a_supervisor_flags_a_troll_whose_next_insults_go_to_the_monitor_list(
    ingest, client, sam, alice
):
    first = _case(ingest, text=INSULT, author_handle="@troll")
    author = first.author
    assert first.level == "yellow"
    with pytest.raises(Author.DoesNotExist):
        corrections.author_flag_troll(author_id=author.pk, actor=alice, is_troll=True)
    corrections.author_flag_troll(author_id=author.pk, actor=sam, is_troll=True)
    [later] = ingest([comment_item(text=INSULT + " otra vez", author_handle="@troll")])
    assert (later.category, later.level) == ("insult", "green")
    client.force_login(alice)
    queue = client.get(reverse("queue-rows"), {"status": ""}).context["page"].object_list
    assert later.id not in {c.pk for c in queue}
    monitored = client.get(reverse("monitor")).context["page"].object_list
    assert later.id in {c.pk for c in monitored}


def test_unflagging_needs_a_reason_and_is_audited(ingest, sam):
    author = _case(ingest, text=INSULT, author_handle="@troll").author
    corrections.author_flag_troll(author_id=author.pk, actor=sam, is_troll=True)
    with pytest.raises(DomainError, match="why"):
        corrections.author_flag_troll(author_id=author.pk, actor=sam, is_troll=False)
    corrections.author_flag_troll(
        author_id=author.pk, actor=sam, is_troll=False, note="apologised and asked a real question"
    )
    assert list(AuditEvent.objects.filter(author=author).values_list("action", "actor")) == [
        ("troll_flagged", sam.pk),
        ("troll_unflagged", sam.pk),
    ]


def test_flagging_through_the_page_is_for_supervisors_of_that_brand(
    ingest, client, sam, alice, bruno
):
    case = _case(ingest, text=INSULT, author_handle="@troll")
    comment = case.comments.get()
    url = reverse("author-troll", args=[case.author_id, comment.pk])
    client.force_login(alice)
    assert client.post(url, {"is_troll": "1"}).status_code == 403
    client.force_login(bruno)
    assert client.post(url, {"is_troll": "1"}).status_code == 403
    client.force_login(sam)
    assert client.post(url, {"is_troll": "1"}).status_code == 302
    assert Author.objects.get(pk=case.author_id).is_troll


def test_a_comment_corrected_from_other_to_a_complaint_gets_a_case(ingest, alice):
    [result] = ingest([comment_item(text="Gracias @BancoAurora, excelente atencion hoy!")])
    assert result.category == "other"
    assert Comment.objects.get(pk=result.id).case is None

    corrected = corrections.classification_correct(
        comment_id=result.id, user=alice, category="pqr", level="yellow"
    )

    assert corrected.case is not None
    assert (corrected.case.category, corrected.case.level) == ("pqr", "yellow")
    assert corrected.case.audit_events.filter(action="case_opened").exists()


def test_a_comment_corrected_to_red_raises_its_case_and_reaches_the_committee(ingest, alice):
    [result] = ingest([comment_item(text=GREEN_QUESTION)])
    case = Case.objects.get(comments=result.id)
    assert case.level == Level.GREEN

    corrections.classification_correct(
        comment_id=result.id, user=alice, category="high_level", level="red"
    )

    case.refresh_from_db()
    assert (case.category, case.level) == ("high_level", Level.RED)
    assert Escalation.objects.filter(comment_id=result.id).exists()


def test_a_correction_settles_the_models_doubt(ingest, alice):
    [result] = ingest([comment_item(text="zero signal downtown since noon")])
    Comment.objects.filter(pk=result.id).update(uncertain=True)

    corrected = corrections.classification_correct(
        comment_id=result.id, user=alice, category="pqr", level="green"
    )

    assert corrected.uncertain is False
