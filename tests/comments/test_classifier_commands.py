import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from classifier import load_model
from classifier.corpus import load_corpus
from comments import corrections
from tests.factories import GREEN_TEXT, comment_item

SUMMARY = re.compile(
    r"^category_macro_f1=\d\.\d{3} level_macro_f1=\d\.\d{3} red_recall=\d\.\d{3} "
    r"red_precision=\d\.\d{3} n=(\d+)$"
)
ROWS = [
    {
        "id": "t1",
        "text": "Voy a poner una denuncia en la SIC por este cobro",
        "lang": "es",
        "platform": "twitter",
        "author_followers": 10,
        "likes": 0,
        "shares": 0,
        "author_is_troll": False,
        "category": "high_level",
        "level": "red",
    },
    {
        "id": "t2",
        "text": "Thanks a lot, the new app is great!",
        "lang": "en",
        "platform": "instagram",
        "author_followers": 10,
        "likes": 0,
        "shares": 0,
        "author_is_troll": False,
        "category": "other",
        "level": "green",
    },
    {
        "id": "t3",
        "text": "how do I change my delivery address?",
        "lang": "en",
        "platform": "facebook",
        "author_followers": 10,
        "likes": 0,
        "shares": 0,
        "author_is_troll": False,
        "category": "pqr",
        "level": "green",
    },
]


@pytest.fixture
def labelled(tmp_path):
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    return path


def test_evaluate_ends_with_the_summary_line(labelled):
    out = io.StringIO()
    call_command("evaluate_classifier", str(labelled), stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    match = SUMMARY.match(last)
    assert match, last
    assert int(match.group(1)) == len(ROWS)


def test_evaluate_names_the_bad_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(ROWS[0]) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad.jsonl:2"):
        call_command("evaluate_classifier", str(path), stdout=io.StringIO())


def test_evaluate_missing_file_fails_with_a_message(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("evaluate_classifier", str(tmp_path / "nope.jsonl"), stdout=io.StringIO())


def test_classify_file_writes_one_decision_per_line(labelled, tmp_path):
    out_path = tmp_path / "out.jsonl"
    call_command("classify_file", str(labelled), str(out_path), stdout=io.StringIO())
    decisions = [json.loads(line) for line in out_path.read_text().splitlines()]
    assert [d["id"] for d in decisions] == ["t1", "t2", "t3"]
    assert decisions[0]["level"] == "red"
    assert all(d["model_version"] and d["reasons"] for d in decisions)


@pytest.mark.django_db
def test_train_uses_corrections_and_writes_a_loadable_versioned_model(ingest, tmp_path, alice):
    [result] = ingest([comment_item(text=GREEN_TEXT)])
    corrections.classification_correct(
        comment_id=result.id, user=alice, category="pqr", level="yellow"
    )
    out = io.StringIO()
    model_path = tmp_path / "model.npz"
    call_command(
        "train_classifier",
        "--output",
        str(model_path),
        "--label",
        "test-1",
        "--folds",
        "2",
        stdout=out,
    )
    assert "and 1 corrections" in out.getvalue()
    model = load_model(model_path)
    assert model.version.startswith("test-1+")
    figures = model.evaluation
    assert figures["method"] == "2-fold stratified cross-validation"
    assert figures["n"] == len(load_corpus()) + 1
    assert f"red_recall={figures['red_recall']:.3f}" in out.getvalue()


def test_train_corpus_only_ignores_corrections_and_can_skip_figures(tmp_path):
    out = io.StringIO()
    model_path = tmp_path / "model.npz"
    call_command(
        "train_classifier",
        "--output",
        str(model_path),
        "--corpus-only",
        "--no-real",
        "--folds",
        "0",
        stdout=out,
    )
    assert "and 0 corrections" in out.getvalue()
    assert load_model(model_path).evaluation is None


def test_train_refuses_a_single_fold(tmp_path):
    with pytest.raises(CommandError, match="--folds"):
        call_command(
            "train_classifier",
            "--output",
            str(tmp_path / "m.npz"),
            "--folds",
            "1",
            stdout=io.StringIO(),
        )


def test_evaluate_reads_the_real_data_format_and_reports_per_source(tmp_path):
    rows = [
        {"id": "mine-1", "text": "you absolute idiot", "source_label": "bad", "lang": "en"},
        {"id": "mine-2", "text": "thanks, lovely day", "source_label": "good", "lang": "en"},
        {"id": "mine-3", "text": "ok", "source_label": "unsure", "lang": "en"},
    ]
    path = tmp_path / "mine.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps({"mine": {"bad": "insult", "good": "other", "unsure": None}}), encoding="utf-8"
    )
    out = io.StringIO()
    call_command("evaluate_classifier", str(path), "--mapping", str(mapping), stdout=out)
    lines = [line.split() for line in out.getvalue().splitlines()[1:]]
    assert [(line[0], line[1], line[2]) for line in lines] == [
        ("mine", "insult", "1"),
        ("mine", "other", "1"),
    ]


def test_evaluate_refuses_a_real_data_file_the_mapping_keeps_nothing_of(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text(json.dumps({"id": "x-1", "text": "hola", "source_label": "z"}) + "\n")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"mine": {"a": "pqr"}}), encoding="utf-8")
    with pytest.raises(CommandError, match="no row"):
        call_command(
            "evaluate_classifier", str(path), "--mapping", str(mapping), stdout=io.StringIO()
        )
