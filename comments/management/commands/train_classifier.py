from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from classifier import train, train_evaluated
from classifier.corpus import load_corpus
from classifier.evaluation import cross_source_text
from classifier.training import train_with_real
from comments import classification


class Command(BaseCommand):
    help = (
        "Train a new model version on the shipped corpus plus people's corrections and the "
        "permissive third-party datasets shipped with the classifier, calibrated, and store "
        "its figures in the model file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="model file to write (default: var/models/…)")
        parser.add_argument(
            "--label",
            default=f"sem-{datetime.now(UTC):%Y.%m.%d}",
            help="version label; a digest of the training rows is appended",
        )
        parser.add_argument(
            "--corpus-only",
            action="store_true",
            help="ignore people's corrections (how the shipped model is built)",
        )
        parser.add_argument(
            "--no-real",
            action="store_true",
            help="leave the third-party datasets out (the corpus and corrections only)",
        )
        parser.add_argument("--real-dir", help="folder of third-party JSONL files")
        parser.add_argument(
            "--cross-source",
            action="store_true",
            help="also store leave-one-source-out figures (one more training per source)",
        )
        parser.add_argument(
            "--folds",
            type=int,
            default=5,
            help="cross-validation folds for the stored figures (0: store none)",
        )

    def handle(
        self, *args, output, label, folds, corpus_only, no_real, real_dir, cross_source, **options
    ):
        if folds == 1 or folds < 0:
            raise CommandError("--folds must be 0 (no figures) or at least 2")
        corpus = load_corpus()
        corrections = [] if corpus_only else classification.human_correction_rows()
        rows = [*corpus, *corrections]
        self.stdout.write(
            f"Training on {len(corpus)} corpus rows and {len(corrections)} corrections…"
        )
        try:
            if no_real:
                model = (
                    train_evaluated(rows, version=label, folds=folds)
                    if folds
                    else train(rows, version=label)
                )
            else:
                model = train_with_real(
                    rows,
                    version=label,
                    real_dir=Path(real_dir) if real_dir else None,
                    folds=folds,
                    leave_one_source_out=cross_source,
                )
        except ValueError as error:
            raise CommandError(str(error)) from None
        path = (
            Path(output)
            if output
            else (settings.VAR_DIR / "models" / f"{model.version.replace('+', '-')}.npz")
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        model.save(path)
        figures = model.evaluation
        if figures:
            self.stdout.write(
                f"Cross-validated ({figures['method']}): "
                f"category_macro_f1={figures['category_macro_f1']:.3f} "
                f"level_macro_f1={figures['level_macro_f1']:.3f} "
                f"red_recall={figures['red_recall']:.3f} "
                f"red_precision={figures['red_precision']:.3f} n={figures['n']}"
            )
        else:
            self.stdout.write("No evaluation figures stored (--folds 0).")
        for entry in model.meta.get("datasets", []):
            self.stdout.write(
                f"Dataset {entry['dataset']}: {entry['rows']} rows, sha256 {entry['sha256']}"
            )
        calibration = model.meta.get("calibration")
        if calibration:
            self.stdout.write(
                f"Calibration: ECE {calibration['ece_before']:.4f} before, "
                f"{calibration['ece_after']:.4f} after"
            )
        if model.meta.get("cross_source"):
            self.stdout.write(cross_source_text(model.meta["cross_source"]))
        held_out = model.meta.get("held_out")
        if held_out:
            self.stdout.write(
                f"Held-out dev set: category_macro_f1={held_out['category_macro_f1']:.3f} "
                f"red_recall={held_out['red_recall']:.3f} "
                f"red_precision={held_out['red_precision']:.3f} n={held_out['n']}"
            )
        self.stdout.write(f"Model {model.version} written to {path}.")
        self.stdout.write(f"Use it with SEMAFORO_CLASSIFIER_MODEL={path}")
