"""The model file: training, saving, loading, versions, determinism."""

import json

import numpy as np
import pytest

from classifier import (
    DEFAULT_MODEL_PATH,
    MODEL_VERSION,
    CommentInput,
    classify,
    cross_validated_figures,
    evaluate,
    load_model,
    train,
    train_evaluated,
)
from classifier.corpus import load_corpus
from classifier.evaluation import FIGURES
from classifier.model import corpus_digest, rows_with_labels

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


def test_the_shipped_model_is_built_from_the_shipped_corpus_with_cross_validated_figures(corpus):
    model = load_model(DEFAULT_MODEL_PATH)
    labelled = rows_with_labels(corpus)
    assert model.meta["corpus_sha256"] == corpus_digest(labelled)
    figures = model.evaluation
    assert figures["version"] == model.version
    assert figures["n"] == len(labelled)
    assert "cross-validation" in figures["method"]
    assert all(0.0 <= figures[name] <= 1.0 for name in FIGURES)


def test_stored_figures_are_cross_validated_not_in_sample(corpus):
    rows = corpus[::5]
    model = train_evaluated(rows, version="sem-test-cv", folds=2)
    held_out = cross_validated_figures(rows, folds=2)
    in_sample = evaluate(rows, model=model).metrics
    stored = model.evaluation
    assert {name: stored[name] for name in FIGURES} == {name: held_out[name] for name in FIGURES}
    # A model judged on its own training rows looks better than on rows it never saw.
    assert stored["category_macro_f1"] < round(in_sample["category_macro_f1"], 3)


def test_figures_survive_saving_and_loading(tmp_path, corpus):
    model = train_evaluated(corpus[::8], version="sem-test-save", folds=2)
    loaded = load_model(model.save(tmp_path / "model.npz"))
    assert loaded.evaluation == model.evaluation


def test_scoring_in_chunks_changes_no_decision(corpus, monkeypatch):
    from classifier import features, pipeline
    from classifier.corpus import input_from_row

    comments = [input_from_row(row) for row in corpus[:300]]
    whole = classify(comments)
    pipeline.clear_text_cache()
    monkeypatch.setattr(features, "SCORING_CHUNK", 7)
    assert classify(comments) == whole
