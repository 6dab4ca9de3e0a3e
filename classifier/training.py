"""`train`: labelled rows in, a versioned model out."""

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

import numpy as np

from classifier.corpus import input_from_row
from classifier.evaluation import cross_validated_figures
from classifier.model import Model, corpus_digest, fit, rows_with_labels
from classifier.pipeline import prepare_comments


def train(rows: Iterable[dict], *, version: str) -> Model:
    """Fit a model on rows in the corpus schema (the shipped corpus plus corrections).

    The version recorded in every decision is `version` plus a short digest of the training
    rows and the fitted weights, so two different models never share a version string.
    """
    labelled = rows_with_labels(rows)
    if len({row["category"] for row in labelled}) < 2:
        raise ValueError("training needs labelled rows of at least two categories")
    prepared = prepare_comments([input_from_row(row) for row in labelled])
    corpus = corpus_digest(labelled)
    meta = {
        "trained_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "training_rows": len(labelled),
        "corpus_sha256": corpus,
    }
    model = fit(
        prepared,
        [row["category"] for row in labelled],
        version=version,
        meta=meta,
    )
    weights = hashlib.sha256(corpus.encode())
    weights.update(model.weights.astype(np.float16).tobytes())
    weights.update(model.bias.astype(np.float16).tobytes())
    model.version = f"{version}+{weights.hexdigest()[:8]}"
    return model


def train_evaluated(rows: Iterable[dict], *, version: str, folds: int = 5) -> Model:
    """`train`, plus the model's cross-validated figures stored in its metadata.

    The figures travel inside the model file, so the desk shows the quality of exactly the
    model it runs; `evaluated_at` and `version` say which model and when.
    """
    rows = list(rows)
    model = train(rows, version=version)
    figures = cross_validated_figures(rows, folds=folds)
    model.meta["evaluation"] = {
        **figures,
        "version": model.version,
        "evaluated_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
    }
    return model
