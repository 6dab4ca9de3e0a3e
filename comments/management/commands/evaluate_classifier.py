from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from classifier import evaluate
from classifier.cli import read_jsonl
from classifier.evaluation import evaluate_sources
from classifier.sources import load_mapping, mapped_rows
from comments import classification


class Command(BaseCommand):
    help = (
        "Compare the classifier with a labelled JSON-lines file (the corpus schema). The last "
        "line is: category_macro_f1=… level_macro_f1=… red_recall=… red_precision=… n=N. "
        "Files in the real-data format (`source_label`) are mapped to our categories with "
        "--mapping (or the shipped mapping) and reported per source."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="labelled comments, one JSON object per line")
        parser.add_argument(
            "--mapping", help="JSON file: dataset -> source label -> category (real-data format)"
        )

    def handle(self, *args, file, mapping=None, **options):
        try:
            rows = read_jsonl(file)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from None
        if mapping or any("source_label" in row and "category" not in row for row in rows):
            self._per_source(file, rows, mapping)
            return
        report = evaluate(
            rows, model=classification.current_model(), thresholds=classification.thresholds()
        )
        if not report.metrics.get("n"):
            raise CommandError(f"{file} has no rows with a valid category and level")
        self.stdout.write(report.text)
        self.stdout.write(report.summary_line)

    def _per_source(self, file, rows, mapping):
        try:
            labels = load_mapping(mapping) if mapping else load_mapping()
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read the mapping: {error}") from None
        mapped = mapped_rows(rows, labels, fallback=Path(file).stem)
        if not mapped:
            raise CommandError(f"{file} has no row with a source label the mapping keeps")
        _, text = evaluate_sources(
            mapped, model=classification.current_model(), thresholds=classification.thresholds()
        )
        self.stdout.write(text)
