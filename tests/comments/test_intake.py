import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import AuditEvent, Case, CaseStatus
from comments import corrections
from comments.models import Classification, Comment
from comments.validation import IngestValidationError
from core.taxonomy import Level
from crisis.models import Escalation
from tests.factories import GREEN_TEXT, RED_TEXT, comment_item

pytestmark = pytest.mark.django_db


def test_ingest_stores_comment_classification_and_case(ingest):
    [result] = ingest([comment_item(text=GREEN_TEXT)])
    comment = Comment.objects.get(pk=result.id)
    assert result.created is True
    assert comment.category == result.category
    [history] = comment.classifications.all()
    assert comment.model_version
    assert (
        history.category,
        history.level,
        history.confidence,
        history.reasons,
        history.model_version,
    ) == (
        comment.category,
        comment.level,
        comment.confidence,
        comment.reasons,
        comment.model_version,
    )
    assert (history.is_human, history.decided_by, history.note) == (False, None, "")
    assert history.created_at == comment.received_at
    if comment.category != "other":
        assert comment.case.status == CaseStatus.NEW
        assert AuditEvent.objects.filter(case=comment.case, action="case_opened").exists()


def test_retried_batch_creates_nothing_and_answers_the_same(ingest):
    items = [comment_item(), comment_item(text=RED_TEXT)]
    first = ingest(items)
    again = ingest(items)
    assert [r.created for r in again] == [False, False]
    assert [(r.id, r.level, r.category) for r in again] == [
        (r.id, r.level, r.category) for r in first
    ]
    assert Comment.objects.count() == 2
    assert Classification.objects.count() == 2
    assert Escalation.objects.count() == 1


def test_same_key_twice_in_one_batch_is_stored_once(ingest):
    item = comment_item()
    results = ingest([item, dict(item)])
    assert results[0].id == results[1].id
    assert [r.created for r in results] == [True, False]
    assert Comment.objects.count() == 1


def test_red_comment_gets_an_escalation_in_the_same_transaction(ingest):
    [result] = ingest([comment_item(text=RED_TEXT)])
    assert result.level == Level.RED
    assert result.category == "high_level"
    assert Escalation.objects.filter(comment_id=result.id, notified_at=None).exists()
    assert any(r["signal"] for r in result.reasons)


def test_comment_that_goes_viral_after_arrival_turns_red_and_is_escalated(ingest):
    item = comment_item(text="Me cobraron dos veces la cuota de este mes, pueden revisar?")
    [before] = ingest([item])
    assert before.level != Level.RED
    [after] = ingest([{**item, "likes": 6000}])
    assert after.created is False
    assert after.level == Level.RED
    assert any(r["signal"] == "reach" for r in after.reasons)
    comment = Comment.objects.get(pk=before.id)
    assert comment.likes == 6000
    assert comment.classifications.count() == 2
    assert Escalation.objects.filter(comment=comment).exists()


def test_a_case_follows_its_comment_when_growing_reach_turns_it_red(ingest):
    item = comment_item(text="Me cobraron dos veces la cuota de este mes, pueden revisar?")
    [before] = ingest([item])
    case = Case.objects.get(comments=before.id)
    assert case.level != Level.RED
    calm_deadline = case.response_due_at

    ingest([{**item, "likes": 6000}])

    case.refresh_from_db()
    assert (case.level, case.level_rank) == (Level.RED, Level.RED.rank)
    assert case.response_due_at < calm_deadline  # a red is owed its answer sooner


def test_engagement_never_goes_down_on_a_late_retry(ingest):
    item = comment_item(text="Me cobraron dos veces la cuota de este mes, pueden revisar?")
    ingest([{**item, "likes": 6000}])
    [late] = ingest([{**item, "likes": 10}])
    assert late.level == Level.RED
    assert Comment.objects.get(pk=late.id).likes == 6000


def test_a_persons_correction_survives_relevelling(ingest, alice):
    item = comment_item(text="Me cobraron dos veces la cuota de este mes, pueden revisar?")
    [result] = ingest([item])
    corrections.classification_correct(
        comment_id=result.id, user=alice, category="other", level="green"
    )
    [again] = ingest([{**item, "likes": 6000}])
    assert (again.category, again.level) == ("other", "green")


def test_invalid_item_rejects_the_whole_batch_and_writes_nothing(ingest):
    with pytest.raises(IngestValidationError) as raised:
        ingest([comment_item(), comment_item(likes=-1), comment_item(text="  ")])
    assert [(e.index, e.field) for e in raised.value.errors] == [(1, "likes"), (2, "text")]
    assert Comment.objects.count() == 0


def test_second_negative_comment_joins_the_open_case_and_raises_its_level(ingest):
    handle = "@repeat_customer"
    [first] = ingest([comment_item(author_handle=handle, text=GREEN_TEXT)])
    [second] = ingest([comment_item(author_handle=handle, text=RED_TEXT)])
    cases = Case.objects.filter(author__handle=handle)
    assert cases.count() == 1
    case = cases.get()
    assert Comment.objects.get(pk=second.id).case == case
    assert case.level == Level.RED
    if first.category != "other":
        assert Comment.objects.get(pk=first.id).case == case


def test_praise_opens_no_case(ingest):
    [result] = ingest([comment_item(text="Gracias @BancoAurora, excelente atencion hoy!")])
    assert result.category == "other"
    assert result.level == Level.GREEN
    assert Comment.objects.get(pk=result.id).case is None


def test_author_with_an_overdue_case_makes_new_comments_yellow(ingest):
    from datetime import timedelta

    from django.utils import timezone

    handle = "@waiting_customer"
    ingest([comment_item(author_handle=handle, text=GREEN_TEXT)])
    Case.objects.filter(author__handle=handle).update(
        response_due_at=timezone.now() - timedelta(minutes=5)
    )
    [later] = ingest([comment_item(author_handle=handle, text=GREEN_TEXT)])
    assert later.level == Level.YELLOW
    assert any(r["signal"] == "overdue_case" for r in later.reasons)


def test_reply_in_a_thread_joins_the_parents_case(ingest):
    parent = comment_item(author_handle="@threader", text=GREEN_TEXT)
    [p] = ingest([parent])
    [r] = ingest(
        [
            comment_item(
                author_handle="@threader",
                in_reply_to=parent["external_id"],
                text="Y ademas me cobraron dos veces, pueden revisar?",
            )
        ]
    )
    assert Comment.objects.get(pk=r.id).thread_key == Comment.objects.get(pk=p.id).thread_key


@pytest.mark.parametrize("size", [10, 200])
def test_query_count_does_not_grow_with_the_batch(ingest, size):
    items = [comment_item(text=RED_TEXT if n % 3 == 0 else GREEN_TEXT) for n in range(size)]
    with CaptureQueriesContext(connection) as queries:
        ingest(items)
    # Two transactions (authors first, then the rest): inside the test's own they are savepoints;
    # one read of the brands' active classifier versions; the brand's ripple lock.
    assert len(queries) <= 20, [q["sql"][:80] for q in queries]


UNSURE_OR_NOT = [
    "zero signal downtown since noon",
    "@VuelaSur gate B12, third hour, zero info. cool.",
    "Me cobraron dos veces la cuota de este mes, pueden revisar?",
    "Gracias @BancoAurora, excelente atencion hoy!",
]


def test_the_models_doubt_is_stored_with_the_comment_and_its_history(ingest, aurora):
    from classifier import CommentInput
    from comments import classification

    decisions = classification.classify(
        [CommentInput(text=text, platform="twitter") for text in UNSURE_OR_NOT], brand=aurora
    )
    assert {decision.uncertain for decision in decisions} == {True, False}

    results = ingest([comment_item(text=text, author_followers=10) for text in UNSURE_OR_NOT])

    for result, decision in zip(results, decisions, strict=True):
        comment = Comment.objects.get(pk=result.id)
        assert comment.uncertain is decision.uncertain
        assert comment.classifications.get().uncertain is decision.uncertain
