"""The hourly rollups: kept by the incremental pass, equal to a rebuild from the facts."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases import followups, workflow
from cases.models import Case, Outcome
from comments.corrections import classification_correct
from comments.models import Comment
from core.taxonomy import Category, Level
from reports import rollups
from reports.models import HourlyRollup, RollupMark, SubjectMention, SubjectRollup
from tests.factories import CLAIM_TEXT, GREEN_TEXT, RED_TEXT, comment_item

pytestmark = pytest.mark.django_db

KEYS = ("brand_id", "hour", "platform", "category", "level")


def _rows(rollup=rollups.HOURLY) -> dict[tuple, dict]:
    """A rollup's table as a comparable value (without the pass's stamp)."""
    return {
        tuple(row[k] for k in rollup.keys): {c: row[c] for c in rollup.counts}
        for row in rollup.model._default_manager.values(*rollup.keys, *rollup.counts)
    }


def _mentions() -> set[tuple]:
    return set(
        SubjectMention.objects.values_list(
            "comment_id",
            "key",
            "brand_id",
            "posted_at",
            "author_id",
            "platform",
            "category",
            "level",
        )
    )


def _at(hours_ago: float) -> str:
    moment = timezone.now().replace(minute=30, second=0, microsecond=0)
    return (moment - timedelta(hours=hours_ago)).isoformat()


def _settled_pass():
    """A pass late enough that every fact written so far has settled."""
    return rollups.rollups_update(now=timezone.now() + rollups.SETTLE + timedelta(seconds=1))


def test_the_rebuild_equals_the_incremental_rows_after_intake_and_case_changes(
    ingest, aurora, rapimenu, alice, sam
):
    ingest(
        [
            comment_item(text=CLAIM_TEXT, posted_at=_at(30), external_id="a1"),
            comment_item(text=RED_TEXT, posted_at=_at(30), external_id="a2"),
            comment_item(text=GREEN_TEXT, posted_at=_at(5), external_id="a3", platform="facebook"),
        ]
    )
    rollups.rollups_update()  # unsettled: read again by the next pass
    assert _rows()
    claim = Comment.objects.get(external_id="a1")
    case = Case.objects.get(pk=claim.case_id)
    workflow.case_assign(case_id=case.pk, actor=sam, assignee=alice)
    _settled_pass()

    classification_correct(
        comment_id=Comment.objects.get(external_id="a3").pk,
        user=sam,
        category=Category.PQR,
        level=Level.YELLOW,
    )
    workflow.case_move(case_id=case.pk, actor=alice, action="start")
    workflow.case_move(case_id=case.pk, actor=alice, action="resolve", outcome=Outcome.SOLVED)
    _settled_pass()
    [follow_up] = case.follow_ups.all()
    followups.follow_up_answer(follow_up_id=follow_up.pk, satisfied=True)
    ingest([comment_item(text=CLAIM_TEXT, posted_at=_at(30), external_id="a1")])  # a retry
    ingest([comment_item(text=CLAIM_TEXT, posted_at=_at(2), external_id="a4")])
    rollups.rollups_update()
    rollups.rollups_update()

    incremental = _rows()
    HourlyRollup.objects.all().delete()
    call_command("rebuild_rollups")
    assert _rows() == incremental

    total = sum(row["comments"] for row in incremental.values())
    assert total == Comment.objects.count() == 4
    corrected = [k for k, row in incremental.items() if row["comments_corrected"]]
    assert [(k[2], k[3], k[4]) for k in corrected] == [("facebook", "pqr", "yellow")]
    assert sum(row["follow_ups_satisfied"] for row in incremental.values()) == 1
    assert sum(row["cases_resolved"] for row in incremental.values()) == 1


def test_a_comment_moved_to_another_level_leaves_no_row_behind(ingest, sam):
    ingest([comment_item(text=GREEN_TEXT, posted_at=_at(3), external_id="g1")])
    _settled_pass()
    [before] = [key for key, row in _rows().items() if row["comments"]]
    comment = Comment.objects.get(external_id="g1")
    classification_correct(comment_id=comment.pk, user=sam, category=Category.PQR, level="red")
    _settled_pass()
    [after] = [key for key, row in _rows().items() if row["comments"] or key[1] == before[1]]
    assert before[4] != "red"
    assert after[4] == "red"
    assert after[1] == before[1]


def test_the_mark_moves_only_past_settled_facts_and_a_second_pass_changes_nothing(ingest):
    ingest([comment_item(posted_at=_at(1))])
    rollups.rollups_update()
    mark = RollupMark.objects.get(name=rollups.MARK_NAME)
    assert (mark.classification_id, mark.audit_event_id) == (0, 0)
    first = _rows()
    _settled_pass()
    mark.refresh_from_db()
    assert mark.classification_id > 0
    assert mark.audit_event_id > 0
    assert _rows() == first
    assert _settled_pass() == 0


def test_the_rebuild_of_one_brand_since_a_date_leaves_the_rest_alone(aurora, rapimenu):
    from comments import intake

    old, recent = "2026-01-10T12:00:00+00:00", _at(1)
    intake.ingest([comment_item(posted_at=old), comment_item(posted_at=recent)], brand_id=aurora.pk)
    intake.ingest([comment_item(posted_at=recent)], brand_id=rapimenu.pk)
    call_command("rebuild_rollups", "--brand", "aurora", "--since", "2026-02-01")
    assert {(row[0], row[1] >= datetime(2026, 2, 1, tzinfo=UTC)) for row in _rows()} == {
        (aurora.pk, True)
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--brand", "nope"], "no brand has the slug 'nope'"),
        (["--since", "2026-13-01"], "is not a date"),
    ],
)
def test_the_rebuild_refuses_a_brand_or_date_it_cannot_read(db, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("rebuild_rollups", *arguments)


def test_hours_far_apart_are_recomputed_in_separate_batches():
    start = datetime(2026, 3, 1, tzinfo=UTC)
    hours = [start, start + timedelta(hours=1), start + timedelta(days=30)]
    assert rollups.batches(hours) == [hours[:2], hours[2:]]


DOUBLE_TEXT = "me cobraron dos veces la cuota del mes, devuelvan eso"
APP_TEXT = "la app no abre desde la mañana y no puedo pagar"
PRAISE = "Gracias @BancoAurora, excelente atencion hoy!"


def test_the_rebuild_equals_the_incremental_subjects_and_their_mentions(ingest, sam, alice):
    """Complaints signed at intake, one moved out of the complaints and one into them by a
    person, a case resolved and answered: the pass and the rebuild agree on every mention and
    every subject's row."""
    ingest(
        [
            comment_item(text=DOUBLE_TEXT, posted_at=_at(30), external_id="s1"),
            comment_item(text=DOUBLE_TEXT, posted_at=_at(29), external_id="s2"),
            comment_item(text=APP_TEXT, posted_at=_at(5), external_id="s3"),
            comment_item(text=PRAISE, posted_at=_at(5), external_id="s4"),
        ]
    )
    rollups.rollups_update()
    assert Comment.objects.get(external_id="s4").ripple_terms is None  # no complaint: unsigned
    assert {key for _, key, *_ in _mentions()} >= {"~double_charge", "~app_down"}
    first = Comment.objects.get(external_id="s1")
    case = Case.objects.get(pk=first.case_id)
    workflow.case_assign(case_id=case.pk, actor=sam, assignee=alice)
    workflow.case_move(case_id=case.pk, actor=alice, action="start")
    workflow.case_move(case_id=case.pk, actor=alice, action="resolve", outcome=Outcome.SOLVED)
    _settled_pass()
    [follow_up] = case.follow_ups.all()
    followups.follow_up_answer(follow_up_id=follow_up.pk, satisfied=True)
    classification_correct(
        comment_id=Comment.objects.get(external_id="s3").pk,
        user=sam,
        category=Category.OTHER,
        level=Level.GREEN,
    )
    praise = Comment.objects.get(external_id="s4")
    praise.text = APP_TEXT  # what it reads now; a person calls it the complaint it is
    praise.save(update_fields=["text"])
    classification_correct(comment_id=praise.pk, user=sam, category=Category.PQR, level="yellow")
    rollups.rollups_update()

    incremental, mentions = _rows(rollups.SUBJECTS), _mentions()
    SubjectRollup.objects.all().delete()
    SubjectMention.objects.all().delete()
    call_command("rebuild_rollups")
    assert _rows(rollups.SUBJECTS) == incremental
    assert _mentions() == mentions

    by_key: dict[str, dict] = {}
    for key, row in incremental.items():
        totals = by_key.setdefault(key[2], dict.fromkeys(rollups.SUBJECTS.counts, 0))
        for name, value in row.items():
            totals[name] += value
    assert by_key["~double_charge"]["comments"] == 2
    assert by_key["~double_charge"]["cases_resolved"] == 1
    assert by_key["~double_charge"]["cases_satisfied"] == 1
    assert by_key["~app_down"]["comments"] == 1  # s4, signed from its text; s3 no longer
    assert {m[0] for m in mentions if m[1] == "~app_down"} == {praise.pk}
