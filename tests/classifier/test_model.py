"""The model file: training, saving, loading, versions, determinism."""

import json

import numpy as np
import pytest

from comments.classifier import (
    DEFAULT_MODEL_PATH,
    MODEL_VERSION,
    CommentInput,
    classify,
    load_model,
    train,
)
from comments.classifier.corpus import load_corpus

CLAIM = CommentInput(text="Me cobraron dos veces el delivery, me devuelven la plata?")


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_shipped_model_loads_without_pickle_and_names_its_version():
    with np.load(DEFAULT_MODEL_PATH, allow_pickle=False) as data:
        assert json.loads(str(data["meta"]))["version"] == MODEL_VERSION
    assert MODEL_VERSION.startswith("sem-")
    assert DEFAULT_MODEL_PATH.stat().st_size < 5_000_000


def test_every_decision_records_the_model_version():
    assert classify([CLAIM])[0].model_version == MODEL_VERSION


def test_classification_is_deterministic():
    texts = [row["text"] for row in load_corpus()[:200]]
    first = classify([CommentInput(text=text) for text in texts])
    second = classify([CommentInput(text=text) for text in reversed(texts)])
    assert first == list(reversed(second))


def test_train_save_load_round_trip(tmp_path, corpus):
    model = train(corpus[::3], version="sem-test-1")
    path = model.save(tmp_path / "model.npz")
    loaded = load_model(path)
    assert loaded.version == model.version
    assert loaded.version.startswith("sem-test-1+")
    texts = [CommentInput(text=row["text"]) for row in corpus[1::7]]
    before = classify(texts, model=model)
    after = classify(texts, model=loaded)
    assert [(d.category, d.level) for d in before] == [(d.category, d.level) for d in after]
    assert all(abs(b.confidence - a.confidence) < 0.01 for b, a in zip(before, after, strict=True))


def test_version_changes_with_the_training_rows(corpus):
    assert train(corpus[::3], version="v").version != train(corpus[1::3], version="v").version


def test_training_rows_from_corrections_use_the_corpus_schema(corpus):
    correction = dict(
        corpus[0],
        text="@Banco ya van 3 veces que pido la tarjeta y nada",
        category="pqr",
        level="yellow",
    )
    model = train([*corpus[::4], correction, {"text": "no label"}], version="v")
    assert model.version.startswith("v+")


def test_training_needs_two_categories():
    with pytest.raises(ValueError, match="two categories"):
        train([{"text": "hola", "category": "pqr"}], version="v")


def test_loading_something_else_fails_clearly(tmp_path):
    bogus = tmp_path / "bogus.npz"
    np.savez(bogus, meta=np.array(json.dumps({"format": "other"})))
    with pytest.raises(ValueError, match="not a"):
        load_model(bogus)
