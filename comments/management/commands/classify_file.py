from django.core.management.base import BaseCommand, CommandError

from classifier.cli import decision_to_dict, read_jsonl, write_jsonl
from classifier.corpus import input_from_row
from comments import classification


class Command(BaseCommand):
    help = "Classify every comment of a JSON-lines file and write one decision per line."

    def add_arguments(self, parser):
        parser.add_argument("input", help="comments, one JSON object per line")
        parser.add_argument("output", help="where to write the decisions")

    def handle(self, *args, input, output, **options):
        try:
            rows = read_jsonl(input)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from None
        decisions = classification.classify([input_from_row(row) for row in rows])
        try:
            count = write_jsonl(
                output,
                (
                    {"id": row.get("id"), **decision_to_dict(decision)}
                    for row, decision in zip(rows, decisions, strict=True)
                ),
            )
        except OSError as error:
            raise CommandError(f"cannot write {output}: {error}") from None
        self.stdout.write(f"{count} decisions written to {output}")
