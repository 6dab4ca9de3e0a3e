"""Semáforo's triage classifier: category, level, confidence and reasons for each comment.

Pure Python (numpy at run time, scikit-learn only to train); no Django import anywhere in
this package. The surface the desk codes against is re-exported here.
"""

from classifier.evaluation import (
    EvaluationReport,
    cross_series,
    cross_validate,
    cross_validated_figures,
    evaluate,
)
from classifier.model import DEFAULT_MODEL_PATH, Model, default_model, load_model
from classifier.pipeline import classify
from classifier.signals import detect_signals
from classifier.tone import ToneWarning, tone_check
from classifier.training import train, train_evaluated
from classifier.values import (
    CATEGORIES,
    LEVELS,
    Category,
    CommentInput,
    Decision,
    Level,
    Reason,
    Thresholds,
)
from classifier.watchlists import seed_watchlist


def __getattr__(name: str):
    # MODEL_VERSION is the shipped model's version; reading it loads the model once.
    if name == "MODEL_VERSION":
        return default_model().version
    raise AttributeError(name)


__all__ = [
    "CATEGORIES",
    "DEFAULT_MODEL_PATH",
    "LEVELS",
    "MODEL_VERSION",
    "Category",
    "CommentInput",
    "Decision",
    "EvaluationReport",
    "Level",
    "Model",
    "Reason",
    "Thresholds",
    "ToneWarning",
    "classify",
    "cross_series",
    "cross_validate",
    "cross_validated_figures",
    "default_model",
    "detect_signals",
    "evaluate",
    "load_model",
    "seed_watchlist",
    "tone_check",
    "train",
    "train_evaluated",
]
