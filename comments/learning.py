"""People's corrections teach the classifier: a retrain per brand, judged before it is used.

A retrain is a ``ClassifierVersion`` row from request to verdict. The training itself runs on a
worker (it takes about half a minute): the shipped corpus, the permissive real datasets and the
brand's corrections. The candidate is then measured on a slice no model trains on, the
hand-written held-out set plus one in five of the brand's corrections once there are enough of
them, beside the model it would replace. A candidate that finds fewer reds there is refused,
with the two figures in its verdict: a model that misses reds is worse whatever else it gains.
"""

import logging
from datetime import timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.access import brand_ids_for
from brands.models import Brand
from cases.models import AuditAction, AuditEvent
from classifier.corpus import DEV_PATH, load_corpus
from classifier.training import figures_on, train_candidate
from comments import classification
from comments.models import Classification, ClassifierVersion
from core.errors import DomainError
from core.queueing import publish_in_chunks

logger = logging.getLogger(__name__)

TRAIN_TASK = "comments.tasks.train_classifier_version"
RETRAIN_PERMISSION = "comments.retrain_classifier"
#: Below this many corrections every one is learned: holding back one of five would cost the
#: lesson and tell little; the hand-written held-out set still judges the candidate.
HOLD_BACK_FROM = 20
HOLD_BACK_EVERY = 5
#: A training that has not finished after this long died with its worker; it may start again.
STALE_TRAINING = timedelta(minutes=30)
#: A queued retrain this old lost its message (the broker was down): the nightly pass sends it.
LOST_MESSAGE = timedelta(minutes=10)

State = ClassifierVersion.State


def retrain_request(*, brand_id: int, actor) -> ClassifierVersion:
    """Queue a retrain of the brand's model; refused while one is already on its way."""
    brand = _retrainable_brand(actor, brand_id)
    version = _queue(brand, requested_by=actor)
    if version is None:
        raise DomainError(_("A retrain of this brand's classifier is already on its way."))
    return version


def retrains_nightly(*, now=None) -> list[int]:
    """Queue a retrain for each brand with corrections its latest model has not seen, and
    send again the queued ones whose message was lost."""
    now = now or timezone.now()
    queued = []
    for brand in Brand.objects.filter(pk__in=_brands_with_new_corrections()):
        version = _queue(brand, requested_by=None)
        if version is not None:
            queued.append(version.pk)
    lost = list(
        ClassifierVersion.objects.filter(
            state=State.QUEUED, requested_at__lt=now - LOST_MESSAGE
        ).values_list("pk", flat=True)
    )
    publish_in_chunks(TRAIN_TASK, lost, chunk=1)
    return queued + lost


def version_train(*, version_id: int) -> ClassifierVersion | None:
    """Train, judge and activate (or refuse) one queued retrain; None when another worker has
    it or it is already done, so a message delivered twice trains once."""
    if not _claim(version_id):
        return None
    version = ClassifierVersion.objects.select_related("brand").get(pk=version_id)
    try:
        return _train_and_judge(version)
    except Exception as error:
        ClassifierVersion.objects.filter(pk=version_id, state=State.TRAINING).update(
            state=State.FAILED, finished_at=timezone.now(), verdict=str(error)[:2000]
        )
        raise


@transaction.atomic
def version_activate(*, version_id: int, actor) -> ClassifierVersion:
    """Classify the brand's comments with an earlier version again: a rollback."""
    version = ClassifierVersion.objects.select_for_update().get(
        pk=version_id, brand_id__in=brand_ids_for(actor, RETRAIN_PERMISSION)
    )
    if version.state == State.ACTIVE:
        raise DomainError(_("This version already classifies the brand's comments."))
    if version.state != State.READY:
        raise DomainError(_("Only a version that passed its check can classify comments."))
    _activate(version, actor=actor)
    return version


@transaction.atomic
def shipped_model_restore(*, brand_id: int, actor) -> None:
    """Back to the model shipped with the desk for this brand."""
    brand = _retrainable_brand(actor, brand_id)
    active = _active_locked(brand.pk)
    if active is None:
        raise DomainError(_("The shipped model already classifies the brand's comments."))
    _retire(active)
    _audit(actor, brand, before=active.version, after="")
    transaction.on_commit(classification.forget_active_models)


# --- training ---------------------------------------------------------------------------------


def correction_rows(brand_id: int) -> tuple[list[dict], list[dict], int]:
    """The brand's corrections as training rows (the latest per comment), split into those to
    learn and those held back to judge, and how many corrected the level alone."""
    rows = classification.human_correction_rows(brand_id=brand_id)
    level_only = sum(
        1
        for row in rows
        if row["model_category"] == row["category"] and row["model_level"] != row["level"]
    )
    if len(rows) < HOLD_BACK_FROM:
        return rows, [], level_only
    learn = [row for row in rows if row["comment_id"] % HOLD_BACK_EVERY]
    held_back = [row for row in rows if not row["comment_id"] % HOLD_BACK_EVERY]
    return learn, held_back, level_only


def red_recall_verdict(candidate: dict, incumbent: dict) -> str:
    """Empty when the candidate may replace the incumbent; otherwise why not, in figures."""
    if candidate["red_recall"] >= incumbent["red_recall"]:
        return ""
    return _(
        "It finds fewer reds than the model it would replace: red recall %(candidate).3f "
        "against %(incumbent).3f on %(n)s comments no model trained on."
    ) % {
        "candidate": candidate["red_recall"],
        "incumbent": incumbent["red_recall"],
        "n": candidate["n"],
    }


def _train_and_judge(version: ClassifierVersion) -> ClassifierVersion:
    trained_through = timezone.now()
    learn, held_back, level_only = correction_rows(version.brand_id)
    candidate = train_candidate(
        [*load_corpus(), *learn],
        version=f"{version.brand.slug[:24]}-{trained_through:%Y%m%d.%H%M}",
    )
    judged_on = [*load_corpus(DEV_PATH), *held_back]
    judged = figures_on(judged_on, candidate)
    incumbent = figures_on(judged_on, classification.model_for(version.brand))
    verdict = red_recall_verdict(judged, incumbent)
    figures = {
        "candidate": judged,
        "incumbent": incumbent,
        "incumbent_version": classification.model_version_for(version.brand),
        "slice": {"held_out": len(judged_on) - len(held_back), "corrections": len(held_back)},
    }
    with transaction.atomic():
        version = ClassifierVersion.objects.select_for_update().get(pk=version.pk)
        version.version = candidate.version
        version.weights = candidate.to_bytes()
        version.figures = figures
        version.trained_through = trained_through
        version.corrections_learned = len(learn)
        version.corrections_held_back = len(held_back)
        version.level_corrections = level_only
        version.finished_at = timezone.now()
        version.verdict = verdict
        if verdict:
            version.state = State.REFUSED
            version.save()
        else:
            _activate(version, actor=version.requested_by)
    logger.info("classifier %s for %s: %s", version.version, version.brand, version.state)
    return version


def _activate(version: ClassifierVersion, *, actor) -> None:
    """Make ``version`` the brand's one active model; inside the caller's transaction."""
    previous = _active_locked(version.brand_id)
    if previous is not None:
        _retire(previous)
    version.state = State.ACTIVE
    version.activated_at = timezone.now()
    version.save()
    _audit(actor, version.brand, before=previous.version if previous else "", after=version.version)
    transaction.on_commit(classification.forget_active_models)


def _retire(version: ClassifierVersion) -> None:
    version.state = State.READY
    version.save(update_fields=["state"])


def _active_locked(brand_id: int) -> ClassifierVersion | None:
    return (
        ClassifierVersion.objects.select_for_update()
        .filter(brand_id=brand_id, state=State.ACTIVE)
        .defer("weights")
        .first()
    )


def _audit(actor, brand, *, before: str, after: str) -> None:
    AuditEvent.objects.create(
        actor=actor,
        action=AuditAction.CLASSIFIER_CHANGED,
        before={"brand": brand.slug, "version": before},
        after={"brand": brand.slug, "version": after},
    )


def _claim(version_id: int) -> bool:
    now = timezone.now()
    claimable = ClassifierVersion.objects.filter(pk=version_id).filter(
        state=State.QUEUED
    ) | ClassifierVersion.objects.filter(
        pk=version_id, state=State.TRAINING, started_at__lt=now - STALE_TRAINING
    )
    return bool(claimable.update(state=State.TRAINING, started_at=now))


def _queue(brand: Brand, *, requested_by) -> ClassifierVersion | None:
    """A queued retrain, sent to a worker after commit; None if one is already on its way."""
    try:
        with transaction.atomic():
            version = ClassifierVersion.objects.create(brand=brand, requested_by=requested_by)
    except IntegrityError:  # classifier_one_in_flight
        return None
    send = partial(publish_in_chunks, TRAIN_TASK, [version.pk], chunk=1)
    transaction.on_commit(send, robust=True)
    return version


def _brands_with_new_corrections() -> list[int]:
    seen = dict(
        ClassifierVersion.objects.exclude(trained_through=None)
        .values("brand_id")
        .annotate(through=Max("trained_through"))
        .values_list("brand_id", "through")
    )
    latest = (
        Classification.objects.filter(is_human=True)
        .values("comment__brand_id")
        .annotate(at=Max("created_at"))
        .values_list("comment__brand_id", "at")
    )
    return [brand_id for brand_id, at in latest if brand_id not in seen or at > seen[brand_id]]


def _retrainable_brand(actor, brand_id) -> Brand:
    return Brand.objects.get(pk=brand_id, pk__in=brand_ids_for(actor, RETRAIN_PERMISSION))
