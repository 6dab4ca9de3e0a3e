"""`train`: labelled rows in, a versioned model out."""

from collections.abc import Iterable
from datetime import UTC, datetime

from comments.classifier.classify import analyse_comment
from comments.classifier.corpus import input_from_row
from comments.classifier.model import Model, corpus_digest, fit, rows_with_labels


def train(rows: Iterable[dict], *, version: str) -> Model:
    """Fit a model on rows in the corpus schema (the shipped corpus plus corrections).

    The version recorded in every decision is `version` plus a short digest of the training
    rows, so two models trained on different data never share a version string.
    """
    labelled = rows_with_labels(rows)
    if len({row["category"] for row in labelled}) < 2:
        raise ValueError("training needs labelled rows of at least two categories")
    items = [analyse_comment(input_from_row(row)) for row in labelled]
    digest = corpus_digest(labelled)
    meta = {
        "trained_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "training_rows": len(labelled),
        "corpus_sha256": digest,
    }
    return fit([item.prepared for item in items], [row["category"] for row in labelled],
               version=f"{version}+{digest[:8]}", meta=meta)
