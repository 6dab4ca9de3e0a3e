"""The desk's side of the classifier: settings in, decisions out.

The classifier package knows nothing of Django; this module gives it the thresholds and model
chosen in settings, so intake, corrections and commands all classify the same way.
"""

import time
from collections.abc import Sequence
from functools import cache

from django.conf import settings
from django.db.models import DateTimeField, IntegerField, Value
from django.utils.translation import gettext_lazy as _

import classifier
from cases.erasure import ERASED
from classifier import CommentInput, Decision, Model, Thresholds
from classifier.memo import BoundedCache
from classifier.model import model_from_bytes
from classifier.signature import CONCEPT_MARK
from comments.models import Classification, ClassifierVersion, Comment
from core.bulk import insert_from

#: The classifier's signals as a community manager reads them; the API keeps the codes.
SIGNAL_LABELS = {
    "authority_mention": _("Authority or legal route"),
    "media_mention": _("Media or going viral"),
    "health_safety": _("Health or safety"),
    "fraud_fact": _("Fraud, data leak or discrimination"),
    "collective": _("Collective or boycott call"),
    "insult": _("Insult"),
    "mockery": _("Mockery"),
    "hostility": _("Hostile words"),
    "violence_threat": _("Threat of violence"),
    "churn_threat": _("Threatens to leave"),
    "repeated_problem": _("Problem not solved before"),
    "praise": _("Praise"),
    "spam": _("Spam"),
    "reach": _("Large reach"),
    "troll": _("Known troll"),
    "overdue_case": _("Case past its deadline"),
    "ripple": _("Ripple of similar complaints"),
    "model": _("Model"),
}


#: The ripple detector's concepts (``classifier.lexicons.ripple``) as people name them.
CONCEPT_LABELS = {
    "double_charge": _("double charge"),
    "unauthorized_charge": _("unrecognised charge"),
    "overcharge": _("overcharge"),
    "refund_pending": _("refund pending"),
    "payment_not_credited": _("payment not credited"),
    "card_problem": _("card problem"),
    "account_blocked": _("account blocked"),
    "app_down": _("app down"),
    "internet_down": _("internet down"),
    "power_outage": _("power cut"),
    "water_outage": _("water cut"),
    "late_delivery": _("late delivery"),
    "wrong_order": _("wrong order"),
    "bad_food": _("food in bad condition"),
    "food_poisoning": _("food poisoning"),
    "foreign_object": _("foreign object in the product"),
    "flight_cancelled": _("flight cancelled"),
    "flight_delayed": _("flight delayed"),
    "lost_luggage": _("lost luggage"),
    "overbooking": _("overbooking"),
    "rude_staff": _("rude staff"),
    "long_queue": _("long queues"),
    "unreachable_support": _("support not answering"),
    "cannot_cancel": _("cannot cancel"),
    "product_defect": _("defective product"),
    "dirty_room": _("dirty room"),
    "data_leak": _("data leak"),
}


def term_label(term: str) -> str:
    """A ripple's term in words: a concept by its name (stored as ``~double_charge``, written
    in a reason as "double charge"), any other stem as it is."""
    name = term.removeprefix(CONCEPT_MARK).replace(" ", "_")
    return str(CONCEPT_LABELS.get(name, name.replace("_", " ")))


def signal_label(signal: str) -> str:
    """A reason's signal in words; a signal without a label shows as stored."""
    return str(SIGNAL_LABELS.get(signal, signal))


def thresholds(brand=None) -> Thresholds:
    """The brand's reach thresholds where it set them, the desk's otherwise."""
    config = settings.SEMAFORO
    reach = (
        brand.reach()
        if brand is not None
        else {
            "followers": config["REACH_FOLLOWERS"],
            "shares": config["REACH_SHARES"],
            "likes": config["REACH_LIKES"],
        }
    )
    return Thresholds(**reach)


@cache
def _model_from(path: str):
    return classifier.load_model(path)


def current_model():
    """The model named by SEMAFORO_CLASSIFIER_MODEL, or None for the one shipped with the
    package: the desk's model for a brand that has not retrained its own."""
    path = settings.SEMAFORO["CLASSIFIER_MODEL_PATH"]
    return _model_from(path) if path else None


#: Which version each brand runs, as last read, and when (``time.monotonic``).
_ACTIVE: dict = {"read_at": None, "versions": {}}
#: The stored models this process has loaded, by row id; a few, so a worker serving many
#: brands never holds them all.
_STORED_MODELS = BoundedCache(8)


def model_for(brand) -> Model | None:
    """The model that classifies the brand's comments: its active retrained version, read
    again every few seconds so every process follows an activation or a rollback without a
    restart; otherwise the desk's (None: the shipped one)."""
    active = _active_versions().get(brand.pk) if brand is not None else None
    if active is None:
        return current_model()
    version_id = active[0]
    model = _STORED_MODELS.get(version_id)
    if model is None:
        weights = ClassifierVersion.objects.filter(pk=version_id).values_list("weights", flat=True)
        data = weights.first()
        if data is None:  # retired between the read and now: the next read knows
            return current_model()
        model = _STORED_MODELS.keep(version_id, model_from_bytes(bytes(data)))
    return model


def model_version_for(brand) -> str:
    model = model_for(brand)
    return (model or classifier.default_model()).version


def forget_active_models() -> None:
    """Read the active versions again at the next classification (after this process changed
    them; other processes follow within SEMAFORO_CLASSIFIER_RECHECK_S)."""
    _ACTIVE["read_at"] = None


def _active_versions() -> dict[int, tuple[int, str]]:
    now = time.monotonic()
    read_at = _ACTIVE["read_at"]
    if read_at is None or now - read_at >= settings.SEMAFORO["CLASSIFIER_RECHECK_S"]:
        _ACTIVE["versions"] = {
            brand_id: (pk, version)
            for brand_id, pk, version in ClassifierVersion.objects.filter(
                state=ClassifierVersion.State.ACTIVE
            ).values_list("brand_id", "pk", "version")
        }
        _ACTIVE["read_at"] = now
    return _ACTIVE["versions"]


def classify(inputs: Sequence[CommentInput], *, brand=None) -> list[Decision]:
    """The brand's model, thresholds and watched handles apply; without a brand, the desk's."""
    return classifier.classify(
        inputs,
        thresholds=thresholds(brand),
        model=model_for(brand),
        watchlist=brand.watchlist if brand is not None else None,
    )


def record_automatic_decisions(comment_ids: Sequence[int], *, now) -> int:
    """A history row for each comment's current automatic decision, copied from the comment row
    inside the database: intake writes hundreds at a time, and sending every decision's reasons
    a second time cost more than the copy."""
    if not comment_ids:
        return 0
    decisions = (
        Comment.objects.filter(pk__any_of=comment_ids)
        .order_by("pk")
        .annotate(
            history_is_human=Value(False),
            history_by=Value(None, IntegerField()),
            history_note=Value(""),
            history_at=Value(now, DateTimeField()),
        )
        .values_list(
            "pk",
            "category",
            "level",
            "confidence",
            "reasons",
            "model_version",
            "uncertain",
            "history_is_human",
            "history_by",
            "history_note",
            "history_at",
        )
    )
    return insert_from(
        Classification,
        (
            "comment_id",
            "category",
            "level",
            "confidence",
            "reasons",
            "model_version",
            "uncertain",
            "is_human",
            "decided_by_id",
            "note",
            "created_at",
        ),
        decisions,
    )


def warm_up() -> None:
    """Load the model and lexicons now, so a worker's first request does not pay for them."""
    classify([CommentInput(text="hola, gracias")])


def human_correction_rows(*, brand_id: int | None = None) -> list[dict]:
    """People's corrections as training rows in the corpus schema (the latest per comment),
    with the comment's id and what the model had said (``model_category``, ``model_level``),
    so a correction of the level alone can be told from one the category model learns."""
    # An erased or forgotten comment (``comments.erasure``) has no words left to learn from.
    corrections = Classification.objects.filter(is_human=True).exclude(comment__text=ERASED)
    if brand_id is not None:
        corrections = corrections.filter(comment__brand_id=brand_id)
    latest: dict[int, dict] = {}
    for correction in corrections.select_related("comment__author").order_by("created_at", "id"):
        comment = correction.comment
        latest[comment.pk] = {
            "id": f"human-{comment.pk}",
            "comment_id": comment.pk,
            "text": comment.text,
            "lang": comment.lang or None,
            "platform": comment.platform,
            "author_handle": comment.author.handle,
            "author_followers": comment.author_followers,
            "likes": comment.likes,
            "shares": comment.shares,
            "author_is_troll": comment.author.is_troll,
            "category": correction.category,
            "level": correction.level,
        }
    model_said = {
        comment_id: (category, level)
        for comment_id, category, level in Classification.objects.filter(
            comment_id__any_of=list(latest), is_human=False
        )
        .order_by("created_at", "id")
        .values_list("comment_id", "category", "level")
    }
    for comment_id, row in latest.items():
        row["model_category"], row["model_level"] = model_said.get(comment_id, (None, None))
    return list(latest.values())
