from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from classifier import train, train_evaluated
from classifier.corpus import load_corpus
from comments import classification


class Command(BaseCommand):
    help = (
        "Train a new model version on the shipped corpus plus people's corrections, and "
        "store its cross-validated figures in the model file."
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
            "--folds",
            type=int,
            default=5,
            help="cross-validation folds for the stored figures (0: store none)",
        )

    def handle(self, *args, output, label, folds, corpus_only, **options):
        if folds == 1 or folds < 0:
            raise CommandError("--folds must be 0 (no figures) or at least 2")
        corpus = load_corpus()
        corrections = [] if corpus_only else classification.human_correction_rows()
        rows = [*corpus, *corrections]
        self.stdout.write(
            f"Training on {len(corpus)} corpus rows and {len(corrections)} corrections…"
        )
        try:
            model = (
                train_evaluated(rows, version=label, folds=folds)
                if folds
                else train(rows, version=label)
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
        self.stdout.write(f"Model {model.version} written to {path}.")
        self.stdout.write(f"Use it with SEMAFORO_CLASSIFIER_MODEL={path}")
