"""Deadlines told once to the right people; trolls monitored, not fed."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from comments import deadlines, workflow
from comments.models import AuditEvent, Author, Case, Comment
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


def test_an_overdue_case_is_told_once_to_its_assignee_and_the_supervisors(
    ingest, alice, sam, bruno
):
    case = _case(ingest)
    workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)
    assert deadlines.deadline_breaches_claim() == []
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert deadlines.deadline_breaches_claim() == [case.pk]
    assert deadlines.deadline_breaches_claim() == []
    assert deadlines.deadline_breach_alert(case_id=case.pk) is True
    [message] = mail.outbox
    assert sorted(message.to) == sorted([alice.email, sam.email])
    assert f"#{case.pk}" in message.subject
    assert AuditEvent.objects.filter(case=case, action="deadline_breached").count() == 1


def test_a_closed_case_is_never_told_and_a_reopened_one_gets_a_new_deadline(ingest, alice):
    case = _case(ingest)
    workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)
    for action, extra in (
        ("start", {}),
        ("resolve", {"outcome": "solved"}),
        ("close", {"satisfied": True}),
    ):
        workflow.case_move(case_id=case.pk, actor=alice, action=action, **extra)
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert deadlines.deadline_breaches_claim() == []
    case = workflow.case_move(case_id=case.pk, actor=alice, action="reopen", note="again")
    assert case.due_at > timezone.now()
    assert case.breach_alerted_at is None


def test_a_supervisor_flags_a_troll_whose_next_insults_go_to_the_monitor_list(
    ingest, client, sam, alice
):
    first = _case(ingest, text=INSULT, author_handle="@troll")
    author = first.author
    assert first.level == "yellow"
    with pytest.raises(Author.DoesNotExist):
        workflow.author_flag_troll(author_id=author.pk, actor=alice, is_troll=True)
    workflow.author_flag_troll(author_id=author.pk, actor=sam, is_troll=True)
    [later] = ingest([comment_item(text=INSULT + " otra vez", author_handle="@troll")])
    assert (later.category, later.level) == ("insult", "green")
    client.force_login(alice)
    queue = client.get(reverse("queue-rows"), {"status": ""}).context["page"].object_list
    assert later.id not in {c.pk for c in queue}
    monitored = client.get(reverse("monitor")).context["page"].object_list
    assert later.id in {c.pk for c in monitored}


def test_unflagging_needs_a_reason_and_is_audited(ingest, sam):
    author = _case(ingest, text=INSULT, author_handle="@troll").author
    workflow.author_flag_troll(author_id=author.pk, actor=sam, is_troll=True)
    with pytest.raises(workflow.WorkflowError, match="why"):
        workflow.author_flag_troll(author_id=author.pk, actor=sam, is_troll=False)
    workflow.author_flag_troll(
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
