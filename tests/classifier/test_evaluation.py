"""`evaluate`, its summary line, and the helpers the management commands call."""

import json
import re

import pytest

from classifier import evaluate
from classifier.cli import decision_to_dict, read_jsonl, write_jsonl
from classifier.corpus import load_corpus
from classifier.evaluation import summarise
from classifier.values import Decision, Reason

SUMMARY = re.compile(
    r"^category_macro_f1=\d\.\d{3} level_macro_f1=\d\.\d{3} red_recall=\d\.\d{3} "
    r"red_precision=\d\.\d{3} n=\d+$"
)


def test_summary_line_has_the_exact_format():
    report = evaluate(load_corpus()[:60])
    assert SUMMARY.match(report.summary_line)
    assert report.summary_line.endswith("n=60")
    assert "category confusion" in report.text
    assert "level confusion" in report.text


def _decision(category: str, level: str) -> Decision:
    return Decision(category, level, 0.9, (Reason("model", "x"),), "v", "es")


def test_metrics_are_computed_from_the_confusions():
    truth_c = ["pqr", "pqr", "high_level", "other"]
    truth_l = ["green", "yellow", "red", "green"]
    decisions = [
        _decision("pqr", "green"),
        _decision("pqr", "red"),
        _decision("high_level", "red"),
        _decision("pqr", "green"),
    ]
    metrics = summarise(truth_c, truth_l, decisions).metrics
    assert metrics["red_recall"] == 1.0
    assert metrics["red_precision"] == 0.5
    # pqr: p=2/3 r=1 f1=0.8; high_level f1=1; other f1=0 -> macro over 3 present labels
    assert metrics["category_macro_f1"] == pytest.approx((0.8 + 1.0 + 0.0) / 3)


def test_read_jsonl_names_the_bad_line(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "hola"}\n\n{"text": broken}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r":3:"):
        read_jsonl(path)


def test_read_jsonl_requires_text(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "hola"}\n{"category": "pqr"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r":2: missing"):
        read_jsonl(path)


def test_decisions_round_trip_through_jsonl(tmp_path):
    decision = _decision("insult", "yellow")
    path = tmp_path / "out.jsonl"
    assert write_jsonl(path, [decision_to_dict(decision)]) == 1
    row = json.loads(path.read_text(encoding="utf-8"))
    assert row == {
        "category": "insult",
        "level": "yellow",
        "confidence": 0.9,
        "reasons": [{"signal": "model", "evidence": "x"}],
        "model_version": "v",
        "lang": "es",
        "uncertain": False,
    }
