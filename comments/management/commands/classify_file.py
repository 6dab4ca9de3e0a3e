import json

from django.core.management.base import BaseCommand, CommandError

from comments import classification
from comments.classifier.corpus import input_from_row


class Command(BaseCommand):
    help = "Classify every comment of a JSON-lines file and write one decision per line."

    def add_arguments(self, parser):
        parser.add_argument("input", help="comments, one JSON object per line")
        parser.add_argument("output", help="where to write the decisions")

    def handle(self, *args, input, output, **options):
        try:
            rows = classification.read_labelled_jsonl(input)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from None
        decisions = classification.classify([input_from_row(row) for row in rows])
        try:
            with open(output, "w", encoding="utf-8") as out:
                for row, decision in zip(rows, decisions, strict=True):
                    out.write(json.dumps(_as_dict(row, decision), ensure_ascii=False) + "\n")
        except OSError as error:
            raise CommandError(f"cannot write {output}: {error}") from None
        self.stdout.write(f"{len(decisions)} decisions written to {output}")


def _as_dict(row: dict, decision) -> dict:
    return {
        "id": row.get("id"), "category": decision.category, "level": decision.level,
        "confidence": round(decision.confidence, 4), "lang": decision.lang,
        "reasons": [reason.as_dict() for reason in decision.reasons],
        "model_version": decision.model_version,
    }
