from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comments import classification
from comments.classifier import evaluate, train
from comments.classifier.corpus import load_corpus


class Command(BaseCommand):
    help = "Train a new model version on the shipped corpus plus people's corrections."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="model file to write (default: var/models/…)")
        parser.add_argument("--label", default=f"sem-{datetime.now(UTC):%Y.%m.%d}",
                            help="version label; a digest of the training rows is appended")

    def handle(self, *args, output, label, **options):
        corpus = load_corpus()
        corrections = classification.human_correction_rows()
        self.stdout.write(f"Training on {len(corpus)} corpus rows and "
                          f"{len(corrections)} corrections…")
        try:
            model = train([*corpus, *corrections], version=label)
        except ValueError as error:
            raise CommandError(str(error)) from None
        path = Path(output) if output else (
            settings.VAR_DIR / "models" / f"{model.version.replace('+', '-')}.npz")
        path.parent.mkdir(parents=True, exist_ok=True)
        model.save(path)
        report = evaluate(corpus, model=model, thresholds=classification.thresholds())
        self.stdout.write(f"Fit on its own corpus (optimistic): {report.summary_line}")
        self.stdout.write(f"Model {model.version} written to {path}.")
        self.stdout.write(f"Use it with SEMAFORO_CLASSIFIER_MODEL={path}")
