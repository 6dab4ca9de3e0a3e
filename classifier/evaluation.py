"""`evaluate` and cross-validation: how far the decisions are from labelled rows.

The summary line is a contract with CI and the supervisor's page:
`category_macro_f1=0.xxx level_macro_f1=0.xxx red_recall=0.xxx red_precision=0.xxx n=N`.
"""

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from classifier.corpus import input_from_row, series_of
from classifier.model import Model
from classifier.pipeline import classify
from classifier.values import CATEGORIES, LEVELS, Decision, Thresholds


@dataclass(frozen=True)
class EvaluationReport:
    metrics: dict
    text: str
    summary_line: str
    errors: list[dict] = field(default_factory=list)


def _per_class(
    truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> dict[str, dict[str, float]]:
    result = {}
    for label in labels:
        true_positive = sum(
            t == label and p == label for t, p in zip(truth, predicted, strict=True)
        )
        predicted_count = sum(p == label for p in predicted)
        support = sum(t == label for t in truth)
        precision = true_positive / predicted_count if predicted_count else 0.0
        recall = true_positive / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    return result


def _macro_f1(
    per_class: dict[str, dict[str, float]], truth: Sequence[str], predicted: Sequence[str]
) -> float:
    """Macro F1 over the labels that occur in the truth or the predictions."""
    present = [label for label in per_class if label in set(truth) | set(predicted)]
    if not present:
        return 0.0
    return sum(per_class[label]["f1"] for label in present) / len(present)


def _confusion_text(
    title: str, truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> str:
    width = max(len(label) for label in labels) + 2
    lines = [
        f"{title} (rows: true, columns: predicted)",
        " " * width + "".join(label.rjust(width) for label in labels),
    ]
    for true_label in labels:
        counts = [
            sum(t == true_label and p == label for t, p in zip(truth, predicted, strict=True))
            for label in labels
        ]
        lines.append(true_label.ljust(width) + "".join(str(c).rjust(width) for c in counts))
    return "\n".join(lines)


def _report_text(title: str, per_class: dict[str, dict[str, float]]) -> str:
    lines = [f"{title}: precision recall f1 support"]
    for label, scores in per_class.items():
        lines.append(
            f"  {label:<11} {scores['precision']:.3f} {scores['recall']:.3f} "
            f"{scores['f1']:.3f} {scores['support']}"
        )
    return "\n".join(lines)


def summarise(
    truth_categories: Sequence[str],
    truth_levels: Sequence[str],
    decisions: Sequence[Decision],
    rows: Sequence[dict] = (),
) -> EvaluationReport:
    predicted_categories = [d.category for d in decisions]
    predicted_levels = [d.level for d in decisions]
    category_scores = _per_class(truth_categories, predicted_categories, CATEGORIES)
    level_scores = _per_class(truth_levels, predicted_levels, LEVELS)
    metrics = {
        "category_macro_f1": _macro_f1(category_scores, truth_categories, predicted_categories),
        "level_macro_f1": _macro_f1(level_scores, truth_levels, predicted_levels),
        "red_recall": level_scores["red"]["recall"],
        "red_precision": level_scores["red"]["precision"],
        "n": len(decisions),
        "categories": category_scores,
        "levels": level_scores,
    }
    summary = (
        f"category_macro_f1={metrics['category_macro_f1']:.3f} "
        f"level_macro_f1={metrics['level_macro_f1']:.3f} "
        f"red_recall={metrics['red_recall']:.3f} "
        f"red_precision={metrics['red_precision']:.3f} n={metrics['n']}"
    )
    text = "\n\n".join(
        [
            _report_text("category", category_scores),
            _confusion_text(
                "category confusion", truth_categories, predicted_categories, CATEGORIES
            ),
            _report_text("level", level_scores),
            _confusion_text("level confusion", truth_levels, predicted_levels, LEVELS),
        ]
    )
    errors = [
        {
            "id": row.get("id"),
            "text": row.get("text"),
            "true": [tc, tl],
            "predicted": [d.category, d.level],
            "reasons": [r.as_dict() for r in d.reasons],
        }
        for row, tc, tl, d in zip(rows, truth_categories, truth_levels, decisions, strict=False)
        if (tc, tl) != (d.category, d.level)
    ]
    return EvaluationReport(metrics=metrics, text=text, summary_line=summary, errors=errors)


def evaluate(
    rows: Iterable[dict], *, model: Model | None = None, thresholds: Thresholds = Thresholds()
) -> EvaluationReport:
    """Classify labelled rows and compare with their `category` and `level`."""
    rows = [row for row in rows if row.get("category") in CATEGORIES and row.get("level") in LEVELS]
    decisions = classify([input_from_row(row) for row in rows], thresholds=thresholds, model=model)
    return summarise([r["category"] for r in rows], [r["level"] for r in rows], decisions, rows)


def _held_out(
    rows: Sequence[dict],
    splits: Sequence[tuple[list[int], list[int]]],
    trainer: Callable[[list[dict]], Model],
) -> EvaluationReport:
    decisions: dict[int, Decision] = {}
    for train_index, test_index in splits:
        model = trainer([rows[i] for i in train_index])
        test_rows = [rows[i] for i in test_index]
        predicted = classify([input_from_row(r) for r in test_rows], model=model)
        decisions.update(zip(test_index, predicted, strict=True))
    order = sorted(decisions)
    return summarise(
        [rows[i]["category"] for i in order],
        [rows[i]["level"] for i in order],
        [decisions[i] for i in order],
        [rows[i] for i in order],
    )


def cross_validate(
    rows: Sequence[dict],
    *,
    folds: int = 5,
    seed: int = 7,
    trainer: Callable[[list[dict]], Model] | None = None,
) -> EvaluationReport:
    """Stratified k-fold: every row is judged by a model that never saw it."""
    trainer = trainer or _default_trainer
    by_label: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        by_label.setdefault(f"{row['category']}/{row['level']}", []).append(index)
    fold_of = {}
    shuffler = random.Random(seed)
    for indices in by_label.values():
        shuffler.shuffle(indices)
        for position, index in enumerate(indices):
            fold_of[index] = position % folds
    splits = [
        (
            [i for i in range(len(rows)) if fold_of[i] != fold],
            [i for i in range(len(rows)) if fold_of[i] == fold],
        )
        for fold in range(folds)
    ]
    return _held_out(rows, splits, trainer)


def cross_series(
    rows: Sequence[dict],
    *,
    held_out_series: str,
    trainer: Callable[[list[dict]], Model] | None = None,
) -> EvaluationReport:
    """Train on the other hand-written series, test on one (e.g. 'd', 'des', 'den')."""
    trainer = trainer or _default_trainer
    test = [i for i, row in enumerate(rows) if series_of(row) == held_out_series]
    train_rows = [i for i, row in enumerate(rows) if series_of(row) != held_out_series]
    return _held_out(rows, [(train_rows, test)], trainer)


#: The figures stored with a model and shown to supervisors.
FIGURES = ("category_macro_f1", "level_macro_f1", "red_recall", "red_precision")


def cross_validated_figures(
    rows: Sequence[dict],
    *,
    folds: int = 5,
    seed: int = 7,
    trainer: Callable[[list[dict]], Model] | None = None,
) -> dict:
    """A model's quality as a supervisor should read it: k-fold cross-validation over the
    rows it is trained on, so every row is judged by a model that never saw it. An in-sample
    evaluation of the same rows would be near perfect and say nothing about new comments."""
    rows = [row for row in rows if row.get("category") in CATEGORIES and row.get("level") in LEVELS]
    metrics = cross_validate(rows, folds=folds, seed=seed, trainer=trainer).metrics
    return {
        **{name: round(metrics[name], 3) for name in FIGURES},
        "n": metrics["n"],
        "folds": folds,
        "method": f"{folds}-fold stratified cross-validation",
    }


def _default_trainer(rows: list[dict]) -> Model:
    from classifier.training import train

    return train(rows, version="cv")


# --- third-party data: figures per source -------------------------------------------------

#: What "found" means for a row of each mapped category: a complaint found as pqr or
#: high_level counts, since either opens a case; an insult must be an insult; chatter `other`.
FOUND_AS = {
    "pqr": frozenset({"pqr", "high_level"}),
    "high_level": frozenset({"high_level"}),
    "insult": frozenset({"insult"}),
    "other": frozenset({"other"}),
}


def source_figures(rows: Sequence[dict], decisions: Sequence[Decision]) -> dict[str, dict]:
    """Per source, per mapped category: rows, share found (see FOUND_AS), predicted mix."""
    figures: dict[str, dict] = {}
    for row, decision in zip(rows, decisions, strict=True):
        source = row.get("source") or "corpus"
        per_category = figures.setdefault(source, {}).setdefault(
            row["category"], {"n": 0, "found": 0, "predicted": dict.fromkeys(CATEGORIES, 0)}
        )
        per_category["n"] += 1
        per_category["found"] += decision.category in FOUND_AS[row["category"]]
        per_category["predicted"][decision.category] += 1
    for per_source in figures.values():
        for scores in per_source.values():
            scores["found_share"] = round(scores["found"] / scores["n"], 3)
    return figures


def source_figures_text(figures: dict[str, dict]) -> str:
    lines = ["source / mapped category: n, found, predicted pqr insult high_level other"]
    for source, per_source in sorted(figures.items()):
        for category, scores in sorted(per_source.items()):
            mix = " ".join(f"{scores['predicted'][c] / scores['n']:.2f}" for c in CATEGORIES)
            lines.append(
                f"  {source:<20} {category:<11} {scores['n']:>6} "
                f"found={scores['found_share']:.3f}  {mix}"
            )
    return "\n".join(lines)


def evaluate_sources(
    rows: Iterable[dict], *, model: Model | None = None, thresholds: Thresholds = Thresholds()
) -> tuple[dict, str]:
    """Classify mapped third-party rows (`classifier.sources.mapped_rows`); figures per source."""
    rows = [row for row in rows if row.get("category") in CATEGORIES]
    decisions = classify([input_from_row(row) for row in rows], thresholds=thresholds, model=model)
    figures = source_figures(rows, decisions)
    return figures, source_figures_text(figures)


def cross_source(
    corpus_rows: Sequence[dict],
    real_rows: Sequence[dict],
    *,
    trainer: Callable[[list[dict], list[dict]], Model],
) -> dict:
    """Leave one source out: train on every other source, judge the one left out.

    Our own corpus counts as one source ("corpus"); the model that judges it learned from
    third-party text alone. These are the figures a supervisor should read first: they say
    how the classifier does on text written by people it never learned from.
    """
    sources = ["corpus", *sorted({row["source"] for row in real_rows})]
    result = {}
    for held_out in sources:
        if held_out == "corpus":
            model = trainer([], list(real_rows))
            test = [row for row in corpus_rows if row.get("category") in CATEGORIES]
        else:
            model = trainer(
                list(corpus_rows), [row for row in real_rows if row["source"] != held_out]
            )
            test = [row for row in real_rows if row["source"] == held_out]
        decisions = classify([input_from_row(row) for row in test], model=model)
        truth = [row["category"] for row in test]
        predicted = [decision.category for decision in decisions]
        per_class = _per_class(truth, predicted, CATEGORIES)
        figures = source_figures([{**row, "source": held_out} for row in test], decisions)[held_out]
        result[held_out] = {
            "n": len(test),
            "category_macro_f1": round(_macro_f1(per_class, truth, predicted), 3),
            "found": {category: scores["found_share"] for category, scores in figures.items()},
        }
        if held_out == "corpus":
            levels = _per_class(
                [row["level"] for row in test], [d.level for d in decisions], LEVELS
            )["red"]
            result[held_out]["red_recall"] = round(levels["recall"], 3)
            result[held_out]["red_precision"] = round(levels["precision"], 3)
    return {"method": "leave one source out", "sources": result}


def cross_source_text(figures: dict) -> str:
    lines = ["leave-one-source-out: source n macro_f1 found per mapped category"]
    for source, scores in figures["sources"].items():
        found = " ".join(f"{category}={share:.3f}" for category, share in scores["found"].items())
        extra = ""
        if "red_recall" in scores:
            extra = (
                f" red_recall={scores['red_recall']:.3f}"
                f" red_precision={scores['red_precision']:.3f}"
            )
        lines.append(
            f"  {source:<20} {scores['n']:>6} {scores['category_macro_f1']:.3f} {found}{extra}"
        )
    return "\n".join(lines)
