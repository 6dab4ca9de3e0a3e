"""The statistical part of the classifier: a linear model over n-grams and signals.

Trained with scikit-learn's logistic regression, then kept as plain weight arrays in a numpy
`.npz` file (no pickle: loading a pickle runs code and breaks across library versions). At run
time the weights are applied to a whole batch with numpy gathers and bincounts; scikit-learn
is not needed to classify.
"""

import hashlib
import json
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

import numpy as np

from comments.classifier.features import (
    CHAR_BUCKET_BITS,
    CHAR_BUCKETS,
    CHAR_NGRAM_SIZES,
    Prepared,
    build_vocabulary,
    char_ngram_buckets,
    design_matrix,
    term_indices,
)
from comments.classifier.values import CATEGORIES

FORMAT = "semaforo-linear-1"
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "model" / "semaforo.npz"
#: Inverse regularisation strength, chosen by cross-validation on the shipped corpus.
REGULARISATION_C = 20.0


class Model:
    """Weights for the four categories plus the vocabulary they were trained with."""

    def __init__(self, *, version: str, char_weights: np.ndarray, vocabulary: dict[str, int],
                 term_weights: np.ndarray, bias: np.ndarray, meta: dict | None = None) -> None:
        self.version = version
        self.char_weights = char_weights.astype(np.float32, copy=False)
        self.vocabulary = vocabulary
        self.term_weights = term_weights.astype(np.float32, copy=False)
        self.bias = bias.astype(np.float64, copy=False)
        self.meta = meta or {}
        self._terms_by_index: list[str] | None = None

    # --- applying ---------------------------------------------------------------------------

    def decision_scores(self, prepared: Sequence[Prepared]) -> np.ndarray:
        n_docs = len(prepared)
        scores = np.tile(self.bias, (n_docs, 1))
        if not n_docs:
            return scores
        docs, buckets, per_doc = char_ngram_buckets([item.char_text for item in prepared])
        char_scale = 1.0 / np.sqrt(np.maximum(per_doc, 1))
        gathered = self.char_weights[buckets]
        term_docs, terms, values, _ = term_indices(prepared, self.vocabulary)
        term_gathered = self.term_weights[terms] * values[:, None]
        for column in range(scores.shape[1]):
            scores[:, column] += char_scale * np.bincount(
                docs, weights=gathered[:, column], minlength=n_docs)
            scores[:, column] += np.bincount(
                term_docs, weights=term_gathered[:, column], minlength=n_docs)
        return scores

    def predict_proba(self, prepared: Sequence[Prepared]) -> np.ndarray:
        scores = self.decision_scores(prepared)
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

    def top_terms(self, prepared: Prepared, category_index: int, limit: int = 3) -> list[str]:
        """The words of this comment that pushed hardest towards the category."""
        weighted = []
        for term in prepared.terms:
            index = self.vocabulary.get(term)
            if index is None or term[1:2] == ":" or term == "@m" or " " in term:
                continue
            weight = float(self.term_weights[index, category_index])
            if weight > 0:
                weighted.append((weight, term))
        weighted.sort(reverse=True)
        seen: list[str] = []
        for _, term in weighted:
            if term not in seen and term.isalnum():
                seen.append(term)
            if len(seen) == limit:
                break
        return seen

    # --- storing ----------------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = np.flatnonzero(np.any(self.char_weights != 0, axis=1)).astype(np.int32)
        terms = sorted(self.vocabulary, key=self.vocabulary.get)
        meta = dict(self.meta, version=self.version, format=FORMAT,
                    categories=list(CATEGORIES), char_bucket_bits=CHAR_BUCKET_BITS,
                    char_ngram_sizes=list(CHAR_NGRAM_SIZES))
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                char_rows=rows,
                char_weights=self.char_weights[rows].astype(np.float16),
                vocabulary=np.array(terms, dtype=str),
                term_weights=self.term_weights.astype(np.float32),
                bias=self.bias.astype(np.float64),
                meta=np.array(json.dumps(meta, sort_keys=True)),
            )
        return path


def load_model(path: str | Path) -> Model:
    """Load a model saved by `Model.save`; refuses files of another format or feature set."""
    with np.load(Path(path), allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        if meta.get("format") != FORMAT or meta.get("char_bucket_bits") != CHAR_BUCKET_BITS \
                or tuple(meta.get("char_ngram_sizes", ())) != CHAR_NGRAM_SIZES \
                or tuple(meta.get("categories", ())) != CATEGORIES:
            raise ValueError(f"{path} is not a {FORMAT} model for this classifier version")
        char_weights = np.zeros((CHAR_BUCKETS, len(CATEGORIES)), dtype=np.float32)
        char_weights[data["char_rows"]] = data["char_weights"].astype(np.float32)
        vocabulary = {str(term): index for index, term in enumerate(data["vocabulary"])}
        return Model(version=meta["version"], char_weights=char_weights,
                     vocabulary=vocabulary, term_weights=data["term_weights"],
                     bias=data["bias"], meta=meta)


@cache
def default_model() -> Model:
    """The model shipped with the package, loaded once per process."""
    return load_model(DEFAULT_MODEL_PATH)


def corpus_digest(rows: Sequence[dict]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps([row.get("text"), row.get("category")],
                                 ensure_ascii=False).encode())
    return digest.hexdigest()


def fit(prepared: Sequence[Prepared], labels: Sequence[str], *, version: str,
        regularisation: float = REGULARISATION_C, meta: dict | None = None) -> Model:
    """Fit the weights; `labels` are category strings."""
    from sklearn.linear_model import LogisticRegression

    vocabulary = build_vocabulary(prepared)
    matrix = design_matrix(prepared, vocabulary)
    targets = np.array([CATEGORIES.index(label) for label in labels])
    # Only columns seen in training can get weight; fitting on them alone is ~20x faster.
    used = np.unique(matrix.indices)
    classifier = LogisticRegression(C=regularisation, max_iter=5000, class_weight="balanced")
    classifier.fit(matrix[:, used], targets)
    coefficients = np.zeros((matrix.shape[1], len(CATEGORIES)), dtype=np.float64)
    coefficients[np.ix_(used, classifier.classes_)] = classifier.coef_.T
    bias = np.full(len(CATEGORIES), -30.0)
    bias[classifier.classes_] = classifier.intercept_
    return Model(version=version, char_weights=coefficients[:CHAR_BUCKETS],
                 vocabulary=vocabulary, term_weights=coefficients[CHAR_BUCKETS:],
                 bias=bias, meta=meta)


def rows_with_labels(rows: Iterable[dict]) -> list[dict]:
    """Training rows must carry a known category; anything else is skipped, not guessed."""
    return [row for row in rows
            if isinstance(row, dict) and row.get("category") in CATEGORIES
            and isinstance(row.get("text"), str)]
