from django.core.management.base import BaseCommand, CommandError

from classifier import evaluate
from classifier.cli import read_jsonl
from comments import classification


class Command(BaseCommand):
    help = (
        "Compare the classifier with a labelled JSON-lines file (the corpus schema). The last "
        "line is: category_macro_f1=… level_macro_f1=… red_recall=… red_precision=… n=N"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="labelled comments, one JSON object per line")

    def handle(self, *args, file, **options):
        try:
            rows = read_jsonl(file)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from None
        report = evaluate(
            rows, model=classification.current_model(), thresholds=classification.thresholds()
        )
        if not report.metrics.get("n"):
            raise CommandError(f"{file} has no rows with a valid category and level")
        self.stdout.write(report.text)
        self.stdout.write(report.summary_line)
