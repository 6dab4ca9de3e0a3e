"""The desk's side of the classifier: settings in, decisions out.

The classifier package knows nothing of Django; this module gives it the thresholds and model
chosen in settings, so intake, corrections and commands all classify the same way.
"""

from collections.abc import Sequence
from functools import cache

from django.conf import settings

from comments import classifier
from comments.classifier import CommentInput, Decision, Thresholds


def thresholds() -> Thresholds:
    config = settings.SEMAFORO
    return Thresholds(
        followers=config["REACH_FOLLOWERS"],
        shares=config["REACH_SHARES"],
        likes=config["REACH_LIKES"],
    )


@cache
def _model_from(path: str):
    return classifier.load_model(path)


def current_model():
    """The model named by SEMAFORO_CLASSIFIER_MODEL, or the one shipped with the package."""
    path = settings.SEMAFORO["CLASSIFIER_MODEL_PATH"]
    return _model_from(path) if path else None


def classify(inputs: Sequence[CommentInput]) -> list[Decision]:
    return classifier.classify(inputs, thresholds=thresholds(), model=current_model())
