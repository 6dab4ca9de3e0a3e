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
