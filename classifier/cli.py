"""Pure helpers behind the management commands (`evaluate_classifier`, `classify_file`,
`train_classifier`): reading labelled JSONL and turning decisions into JSON-ready dicts."""

import json
from collections.abc import Iterable
from pathlib import Path

from classifier.values import Decision


def read_jsonl(path: str | Path) -> list[dict]:
    """One JSON object per non-blank line; a bad line raises ValueError naming its number."""
    rows = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: not valid JSON ({error.msg})") from error
            if not isinstance(row, dict):
                raise ValueError(f"{path}:{number}: expected a JSON object")
            if not isinstance(row.get("text"), str):
                raise ValueError(f"{path}:{number}: missing string field 'text'")
            rows.append(row)
    return rows


def decision_to_dict(decision: Decision) -> dict:
    return {
        "category": decision.category,
        "level": decision.level,
        "confidence": decision.confidence,
        "reasons": [reason.as_dict() for reason in decision.reasons],
        "model_version": decision.model_version,
        "lang": decision.lang,
        "uncertain": decision.uncertain,
    }


def write_jsonl(path: str | Path, rows: Iterable[dict]) -> int:
    count = 0
    with Path(path).open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


# --- command line: python -m classifier.cli train|evaluate ----------------------------------


def _train(args) -> int:
    from classifier.corpus import load_corpus
    from classifier.evaluation import cross_source_text
    from classifier.sources import PERMISSIVE
    from classifier.training import train, train_with_real

    rows = load_corpus(Path(args.corpus)) if args.corpus else load_corpus()
    if args.no_real:
        model = train(rows, version=args.label, calibrate=True)
    else:
        model = train_with_real(
            rows,
            version=args.label,
            real_dir=Path(args.real_dir) if args.real_dir else None,
            datasets=args.datasets.split(",") if args.datasets else PERMISSIVE,
            folds=args.folds,
            leave_one_source_out=not args.no_cross_source,
        )
    for entry in model.meta.get("datasets", []):
        print(f"dataset {entry['dataset']} rows={entry['rows']} sha256={entry['sha256']}")
    calibration = model.meta.get("calibration")
    if calibration:
        print(
            f"calibration ece_before={calibration['ece_before']:.4f} "
            f"ece_after={calibration['ece_after']:.4f} temperature={calibration['temperature']}"
        )
    if model.meta.get("cross_source"):
        print(cross_source_text(model.meta["cross_source"]))
    for key in ("evaluation", "held_out"):
        figures = model.meta.get(key)
        if figures:
            print(
                f"{key} ({figures['method']}): "
                + " ".join(f"{name}={figures[name]:.3f}" for name in _FIGURES)
                + f" n={figures['n']}"
            )
    model.save(args.output)
    print(f"model {model.version} written to {args.output}")
    return 0


_FIGURES = ("category_macro_f1", "level_macro_f1", "red_recall", "red_precision")


def _evaluate(args) -> int:
    from classifier.evaluation import evaluate, evaluate_sources
    from classifier.model import default_model, load_model
    from classifier.sources import load_mapping, mapped_rows

    model = load_model(args.model) if args.model else default_model()
    rows = read_jsonl(args.file)
    if args.mapping or any("source_label" in row and "category" not in row for row in rows):
        mapping = load_mapping(args.mapping) if args.mapping else load_mapping()
        mapped = mapped_rows(rows, mapping, fallback=Path(args.file).stem)
        if not mapped:
            print(f"{args.file}: no row has a source label the mapping keeps")
            return 1
        _, text = evaluate_sources(mapped, model=model)
        print(text)
        return 0
    report = evaluate(rows, model=model)
    print(report.text)
    print(report.summary_line)
    return 0


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m classifier.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train a model (the shipped recipe by default)")
    train.add_argument("--output", required=True)
    train.add_argument("--label", default="sem")
    train.add_argument("--corpus", help="corpus JSONL (default: the shipped corpus)")
    train.add_argument("--real-dir", help="folder of third-party JSONL files")
    train.add_argument("--datasets", help="comma-separated dataset names (default: permissive)")
    train.add_argument("--no-real", action="store_true", help="corpus only")
    train.add_argument("--no-cross-source", action="store_true")
    train.add_argument("--folds", type=int, default=5)
    train.set_defaults(run=_train)
    evaluate = commands.add_parser("evaluate", help="figures on a labelled or real-data file")
    evaluate.add_argument("file")
    evaluate.add_argument("--mapping", help="source label -> category JSON (real-data format)")
    evaluate.add_argument("--model", help="model file (default: the shipped model)")
    evaluate.set_defaults(run=_evaluate)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
