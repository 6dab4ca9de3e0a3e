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
