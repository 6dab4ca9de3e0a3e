"""Corrections retrain a brand's model: the retrain learns them, is judged on reds before it
is used, and can be rolled back. Two tests train for real (about half a minute each); the
rest check the rules around training without one."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from cases.models import AuditAction, AuditEvent
from classifier.corpus import DEV_PATH, load_corpus
from comments import corrections, intake, learning
from comments.models import ClassifierVersion, Comment
from core.errors import DomainError
from tests.factories import comment_item

pytestmark = pytest.mark.django_db
State = ClassifierVersion.State
#: A complaint the shipped model leaves as `other`: nothing in it is a word it knows.
MATTRESS = "el colchón que compré se hundió en el centro a los dos meses"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _posted(brand, text: str, external_id: str) -> Comment:
    [result] = intake.ingest([comment_item(text=text, external_id=external_id)], brand_id=brand.pk)
    return Comment.objects.get(pk=result.id)


def _correct(comment, user, category="pqr", level="green"):
    corrections.classification_correct(
        comment_id=comment.pk, user=user, category=category, level=level
    )


def test_a_retrain_learns_a_correction_and_only_that_brand_classifies_with_it(
    aurora, rapimenu, sam, django_capture_on_commit_callbacks
):
    before = _posted(aurora, MATTRESS, "before")
    assert before.category == "other", "the shipped model should not know this complaint"
    _correct(before, sam)
    green_level_only = _posted(aurora, "me cobraron dos veces la cuota", "level-only")
    _correct(green_level_only, sam, category=green_level_only.category, level="red")

    version = learning.retrain_request(brand_id=aurora.pk, actor=sam)
    with django_capture_on_commit_callbacks(execute=True):
        trained = learning.version_train(version_id=version.pk)

    assert trained.state == State.ACTIVE, trained.verdict
    assert (trained.corrections_learned, trained.level_corrections) == (2, 1)
    assert trained.figures["candidate"]["red_recall"] >= trained.figures["incumbent"]["red_recall"]
    after = _posted(aurora, MATTRESS, "after")
    assert (after.category, after.model_version) == ("pqr", trained.version)
    elsewhere = _posted(rapimenu, MATTRESS, "elsewhere")
    assert elsewhere.category == "other", "another brand keeps the shipped model"
    assert AuditEvent.objects.filter(
        action=AuditAction.CLASSIFIER_CHANGED, actor=sam, after__version=trained.version
    ).exists()

    with django_capture_on_commit_callbacks(execute=True):
        learning.shipped_model_restore(brand_id=aurora.pk, actor=sam)
    assert _posted(aurora, MATTRESS, "rolled-back").category == "other"
    trained.refresh_from_db()
    assert trained.state == State.READY

    with django_capture_on_commit_callbacks(execute=True):
        learning.version_activate(version_id=trained.pk, actor=sam)
    assert _posted(aurora, MATTRESS, "forward-again").category == "pqr"


def test_a_retrain_that_finds_fewer_reds_is_refused_and_says_why(aurora, sam):
    reds = [row for row in load_corpus(DEV_PATH) if row["level"] == "red"]
    for number, row in enumerate(reds):
        _correct(_posted(aurora, row["text"], f"poison-{number}"), sam, "other", "green")

    version = learning.retrain_request(brand_id=aurora.pk, actor=sam)
    refused = learning.version_train(version_id=version.pk)

    assert refused.state == State.REFUSED
    candidate, incumbent = refused.figures["candidate"], refused.figures["incumbent"]
    assert candidate["red_recall"] < incumbent["red_recall"]
    assert f"{candidate['red_recall']:.3f}" in refused.verdict
    assert f"{incumbent['red_recall']:.3f}" in refused.verdict
    corrected = Comment.objects.filter(brand=aurora).values_list("pk", flat=True)
    assert refused.corrections_held_back == sum(1 for pk in corrected if not pk % 5)
    assert _posted(aurora, reds[0]["text"], "after-refusal").level == "red"
    with pytest.raises(DomainError):
        learning.version_activate(version_id=refused.pk, actor=sam)


def test_only_one_retrain_of_a_brand_is_on_its_way_at_a_time(aurora, sam):
    learning.retrain_request(brand_id=aurora.pk, actor=sam)
    with pytest.raises(DomainError, match="already on its way"):
        learning.retrain_request(brand_id=aurora.pk, actor=sam)


def test_a_person_retrains_only_the_brands_where_they_supervise(aurora, rapimenu, sam, alice):
    from brands.models import Brand

    with pytest.raises(Brand.DoesNotExist):
        learning.retrain_request(brand_id=rapimenu.pk, actor=sam)
    with pytest.raises(Brand.DoesNotExist):
        learning.retrain_request(brand_id=aurora.pk, actor=alice)


def test_a_message_delivered_twice_trains_once(aurora, sam):
    version = learning.retrain_request(brand_id=aurora.pk, actor=sam)
    ClassifierVersion.objects.filter(pk=version.pk).update(
        state=State.TRAINING, started_at=timezone.now()
    )
    assert learning.version_train(version_id=version.pk) is None
    version.refresh_from_db()
    assert (version.state, version.version) == (State.TRAINING, "")


def test_the_red_recall_gate_refuses_any_loss_and_accepts_a_tie():
    incumbent = {"red_recall": 0.968, "n": 90}
    assert learning.red_recall_verdict({"red_recall": 0.968, "n": 90}, incumbent) == ""
    assert learning.red_recall_verdict({"red_recall": 0.99, "n": 90}, incumbent) == ""
    verdict = learning.red_recall_verdict({"red_recall": 0.935, "n": 90}, incumbent)
    assert "0.935" in verdict
    assert "0.968" in verdict


def test_corrections_are_held_back_to_judge_only_once_there_are_enough(aurora, sam):
    comments = [_posted(aurora, f"consulta número {n} sobre mi cuenta", f"c{n}") for n in range(25)]
    for comment in comments[:19]:
        _correct(comment, sam, "pqr", "yellow")
    learn, held_back, _ = learning.correction_rows(comments[0].brand_id)
    assert (len(learn), held_back) == (19, [])

    for comment in comments[19:]:
        _correct(comment, sam, "pqr", "yellow")
    learn, held_back, _ = learning.correction_rows(comments[0].brand_id)
    assert {row["comment_id"] for row in held_back} == {c.pk for c in comments if not c.pk % 5}
    assert len(learn) + len(held_back) == 25


def test_nightly_retrains_brands_with_new_corrections_and_resends_lost_messages(
    aurora, rapimenu, sam
):
    _correct(_posted(aurora, MATTRESS, "night"), sam)
    lost = ClassifierVersion.objects.create(
        brand=rapimenu, requested_at=timezone.now() - timedelta(hours=1)
    )
    sent = learning.retrains_nightly()
    queued = ClassifierVersion.objects.get(brand=aurora, state=State.QUEUED)
    assert sorted(sent) == sorted([queued.pk, lost.pk])
    assert queued.requested_by is None

    ClassifierVersion.objects.filter(pk=queued.pk).update(
        state=State.READY, trained_through=timezone.now()
    )
    assert learning.retrains_nightly(now=timezone.now()) == [lost.pk]
