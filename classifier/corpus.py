"""The labelled corpus shipped with the package, and rows in its schema.

Rows follow `data/corpus.jsonl` (the schema of the shared labelled set): `text`, `lang`,
`platform`, `author_followers`, `likes`, `shares`, `author_is_troll`, `category`, `level`.
Human corrections from the desk are training rows in the same schema.
"""

import json
from pathlib import Path

from classifier.values import CommentInput

CORPUS_PATH = Path(__file__).resolve().parent / "data" / "corpus.jsonl"
#: Hand-written cases to the taxonomy kept out of every training run: the honest red check.
DEV_PATH = Path(__file__).resolve().parent / "data" / "dev_held_out.jsonl"


def input_from_row(row: dict) -> CommentInput:
    """The classifier's input from a labelled row; the labels themselves are not read."""
    return CommentInput(
        text=row.get("text") or "",
        lang=row.get("lang"),
        platform=row.get("platform") or "other",
        author_followers=row.get("author_followers") or 0,
        likes=row.get("likes") or 0,
        shares=row.get("shares") or 0,
        author_is_troll=bool(row.get("author_is_troll", False)),
        author_has_overdue_case=bool(row.get("author_has_overdue_case", False)),
        ripple=row.get("ripple"),
    )


def load_corpus(path: Path = CORPUS_PATH) -> list[dict]:
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def series_of(row: dict) -> str:
    """The hand-written series a row belongs to: 'des', 'den', 'd' or 'dsem' (ours)."""
    row_id = str(row.get("id", ""))
    for prefix in ("dsem", "des", "den"):
        if row_id.startswith(prefix):
            return prefix
    return "d"
