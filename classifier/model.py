"""The statistical part of the classifier: a linear model over n-grams and signals.

Trained with scikit-learn's logistic regression, then kept as plain weight arrays in a numpy
`.npz` file (no pickle: loading a pickle runs code and breaks across library versions). At run
time the weights are applied to a whole batch with numpy gathers and bincounts; scikit-learn
is not needed to classify.
"""

import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import BinaryIO

import numpy as np

from classifier.features import (
    BUCKET_BITS,
    BUCKETS,
    CHAR_NGRAM_SIZES,
    Hashed,
    Prepared,
    batch_scores,
    char_ngram_buckets,
    design_matrix,
    pair_buckets,
    word_buckets,
)
from classifier.stopwords import FUNCTION_WORDS
from classifier.values import CATEGORIES

FORMAT = "semaforo-hashed-linear-1"
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "model" / "semaforo.npz"
#: Inverse regularisation strength. 20 was the corpus-only optimum in cross-validation; with
#: tens of thousands of third-party rows in, a little more smoothing (not tuned further).
REGULARISATION_C = 10.0


class Model:
    """Hashed feature weights for the four categories, and the version that made them."""

    def __init__(
        self, *, version: str, weights: np.ndarray, bias: np.ndarray, meta: dict | None = None
    ) -> None:
        self.version = version
        self.weights = weights.astype(np.float32, copy=False)
        self.bias = bias.astype(np.float64, copy=False)
        self.meta = meta or {}

    @property
    def evaluation(self) -> dict | None:
        """Cross-validated figures stored when the model was trained, if any."""
        figures = self.meta.get("evaluation")
        return figures if isinstance(figures, dict) else None

    # --- applying ---------------------------------------------------------------------------

    def predict(self, prepared: Sequence[Prepared]) -> tuple[np.ndarray, Hashed | None]:
        """Category probabilities (rows in input order, columns as CATEGORIES)."""
        n_docs = len(prepared)
        scores = np.tile(self.bias, (n_docs, 1))
        if not n_docs:
            return scores, None
        sums, hashed = batch_scores(prepared, self.weights)
        scores += sums
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores, hashed

    def predict_proba(self, prepared: Sequence[Prepared]) -> np.ndarray:
        return self.predict(prepared)[0]

    def top_words(
        self,
        hashed: Hashed | None,
        texts: Sequence[str],
        classes: np.ndarray,
        wanted: np.ndarray,
        limit: int = 3,
    ) -> dict[int, list[str]]:
        """For the wanted comments, the words that pushed hardest towards their class."""
        result: dict[int, list[str]] = {}
        if hashed is None or not len(hashed.word_docs) or not wanted.any():
            return result
        keep = wanted[hashed.word_docs]
        docs = hashed.word_docs[keep]
        weight = self.weights[hashed.word_buckets[keep], classes[docs]]
        positive = weight > 0
        docs, weight = docs[positive], weight[positive]
        starts = hashed.word_starts[keep][positive] - hashed.doc_offsets[docs]
        ends = hashed.word_ends[keep][positive] - hashed.doc_offsets[docs]
        order = _by_comment_then_weight(docs, weight)
        sorted_docs = docs[order]
        rank = np.arange(len(order)) - np.searchsorted(sorted_docs, sorted_docs)
        # The first `limit` words of each comment are read first; the two spare ones (for
        # duplicates and symbols) only for the comments still short of words after them.
        first = order[rank < limit]
        for doc, start, end in zip(
            docs[first].tolist(), starts[first].tolist(), ends[first].tolist(), strict=True
        ):
            words = result.setdefault(doc, [])
            word = texts[doc][start:end]
            if _explains(word) and word not in words:
                words.append(word)
        short = np.zeros(len(wanted), dtype=np.bool_)
        short[[doc for doc, words in result.items() if len(words) < limit]] = True
        spare = order[(rank >= limit) & (rank < limit + 2)]
        spare = spare[short[docs[spare]]]
        for doc, start, end in zip(
            docs[spare].tolist(), starts[spare].tolist(), ends[spare].tolist(), strict=True
        ):
            words = result[doc]
            if len(words) < limit:
                word = texts[doc][start:end]
                if _explains(word) and word not in words:
                    words.append(word)
        return result

    # --- storing ----------------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            self.write(handle)
        return path

    def to_bytes(self) -> bytes:
        """The model file's bytes, for a desk that keeps its versions in the database."""
        buffer = io.BytesIO()
        self.write(buffer)
        return buffer.getvalue()

    def write(self, handle: BinaryIO) -> None:
        rows = np.flatnonzero(np.any(self.weights != 0, axis=1)).astype(np.int32)
        meta = dict(
            self.meta,
            version=self.version,
            format=FORMAT,
            categories=list(CATEGORIES),
            bucket_bits=BUCKET_BITS,
            char_ngram_sizes=list(CHAR_NGRAM_SIZES),
        )
        np.savez_compressed(
            handle,
            rows=rows,
            weights=self.weights[rows].astype(np.float16),
            bias=self.bias.astype(np.float64),
            meta=np.array(json.dumps(meta, sort_keys=True)),
        )


def model_from_bytes(data: bytes) -> Model:
    """A model from the bytes `Model.to_bytes` wrote."""
    return load_model(io.BytesIO(data), name="stored model")


def load_model(path: str | Path | BinaryIO, *, name: str | None = None) -> Model:
    """Load a model saved by `Model.save`; refuses files of another format or feature set."""
    source = Path(path) if isinstance(path, str | Path) else path
    with np.load(source, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        if (
            meta.get("format") != FORMAT
            or meta.get("bucket_bits") != BUCKET_BITS
            or tuple(meta.get("char_ngram_sizes", ())) != CHAR_NGRAM_SIZES
            or tuple(meta.get("categories", ())) != CATEGORIES
        ):
            raise ValueError(f"{name or path} is not a {FORMAT} model for this classifier version")
        weights = np.zeros((BUCKETS, len(CATEGORIES)), dtype=np.float32)
        weights[data["rows"]] = data["weights"].astype(np.float32)
        weights[0] = 0.0
        return Model(version=meta["version"], weights=weights, bias=data["bias"], meta=meta)


def _by_comment_then_weight(docs: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """`np.lexsort((-weight, docs))` for positive float32 weights, several times faster.

    A positive float's bits order like its value, so comment and weight fit one integer
    key; the stable sort keeps ties in their order, as lexsort does.
    """
    descending = np.int64(0x7FFFFFFF) - weight.astype(np.float32).view(np.int32)
    return np.argsort((docs.astype(np.int64) << 32) | descending, kind="stable")


@cache
def default_model() -> Model:
    """The model shipped with the package, loaded once per process."""
    return load_model(DEFAULT_MODEL_PATH)


def corpus_digest(rows: Sequence[dict]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(
            json.dumps([row.get("text"), row.get("category")], ensure_ascii=False).encode()
        )
    return digest.hexdigest()


def fit(
    prepared: Sequence[Prepared],
    labels: Sequence[str],
    *,
    version: str,
    regularisation: float = REGULARISATION_C,
    meta: dict | None = None,
    sample_weight: Sequence[float] | np.ndarray | None = None,
) -> Model:
    """Fit the weights; `labels` are category strings, `sample_weight` one weight per row.

    Function words and pairs of them get no column at all (see `classifier.stopwords`).
    """
    from sklearn.linear_model import LogisticRegression

    matrix = design_matrix(prepared)
    targets = np.array([CATEGORIES.index(label) for label in labels])
    # Only buckets seen in training can get weight; fitting on them alone is ~20x faster.
    used = np.setdiff1d(np.unique(matrix.indices), function_word_buckets(prepared))
    weights_of_rows = (
        np.ones(len(targets)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    )
    classifier = LogisticRegression(C=regularisation, max_iter=3000)
    classifier.fit(
        matrix[:, used], targets, sample_weight=balanced_by_mass(targets, weights_of_rows)
    )
    weights = np.zeros((BUCKETS, len(CATEGORIES)), dtype=np.float64)
    weights[np.ix_(used, classifier.classes_)] = classifier.coef_.T
    weights[0] = 0.0  # bucket 0 receives the n-grams that straddle two comments
    bias = np.full(len(CATEGORIES), -30.0)
    bias[classifier.classes_] = classifier.intercept_
    return Model(version=version, weights=weights, bias=bias, meta=meta)


def balanced_by_mass(targets: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Row weights scaled so that every category carries the same total weight.

    scikit-learn's "balanced" counts rows, not their weights: with thousands of light
    third-party rows in one class and a few hundred full-weight corpus rows in another, the
    counts would say the opposite of the weights.
    """
    mass = np.bincount(targets, weights=weights, minlength=len(CATEGORIES))
    present = mass > 0
    scale = np.zeros(len(CATEGORIES))
    scale[present] = weights.sum() / (present.sum() * mass[present])
    return weights * scale[targets]


def function_word_buckets(prepared: Sequence[Prepared]) -> np.ndarray:
    """The buckets that only say which function words a comment uses.

    Each function word as a word, as a whole-token 4-gram (" me "), and the pairs of two
    function words seen in these texts ("de la", "to the").
    """
    pairs = set()
    for item in prepared:
        tokens = item.text.split()
        for first, second in zip(tokens, tokens[1:], strict=False):
            if first in FUNCTION_WORDS and second in FUNCTION_WORDS:
                pairs.add((first, second))
    words = sorted(FUNCTION_WORDS)
    grams = [f" {word} " for word in words if len(f" {word} ") in CHAR_NGRAM_SIZES]
    return np.unique(
        np.concatenate(
            [word_buckets(words), pair_buckets(sorted(pairs)), char_ngram_buckets(grams)]
        )
    )


def logits(model: Model, prepared: Sequence[Prepared]) -> np.ndarray:
    """The model's raw scores (before the softmax), for calibration."""
    scores = np.tile(model.bias, (len(prepared), 1))
    if prepared:
        scores += batch_scores(prepared, model.weights)[0]
    return scores


def calibrated(model: Model, scale: float, shift: Sequence[float]) -> Model:
    """The same model with its scores scaled and shifted per class: still a linear map.

    Temperature scaling with a bias per class: `softmax(z / T + b)`. The weights absorb it,
    so the calibrated model costs nothing more at run time.
    """
    weights = model.weights.astype(np.float64) * scale
    bias = model.bias * scale + np.asarray(shift, dtype=np.float64)
    return Model(version=model.version, weights=weights, bias=bias, meta=dict(model.meta))


def rows_with_labels(rows: Iterable[dict]) -> list[dict]:
    """Training rows must carry a known category; anything else is skipped, not guessed."""
    return [
        row
        for row in rows
        if isinstance(row, dict)
        and row.get("category") in CATEGORIES
        and isinstance(row.get("text"), str)
    ]


def _explains(word: str) -> bool:
    """A word a person can check: a content word of letters, not "me", "la", "s" or "15"."""
    return len(word) > 2 and word.isalpha() and word not in FUNCTION_WORDS
