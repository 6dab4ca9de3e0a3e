"""Third-party labelled datasets: reading them, mapping their labels to our categories, and
recording exactly which files went into a model.

The files sit in `data/real/` in the format of their extraction (`id`, `text`, `lang`,
`source_label`, `source`). Their labels are the sources' own; `data/real/mapping.json` says
how each relates to our taxonomy. Only the permissive datasets ship with the package and
train the shipped model; the non-commercial ones are read from wherever a developer keeps
them, for error analysis, and the trainer never needs them.
"""

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

REAL_DIR = Path(__file__).resolve().parent / "data" / "real"
MAPPING_PATH = REAL_DIR / "mapping.json"

#: Datasets whose licences let them ship with the package and train the shipped model.
PERMISSIVE = ("toxicity_latam_es", "davidson_en", "banking77_en", "cfpb_complaints_en")
#: Datasets for development only (non-commercial licences): never in a shipped model.
NON_COMMERCIAL = ("hateval_es", "airline_tweets_en")
LICENCES = {
    "toxicity_latam_es": "CC BY 4.0",
    "davidson_en": "MIT",
    "banking77_en": "CC BY 4.0",
    "cfpb_complaints_en": "US government data (CC0 per a third-party card)",
    "hateval_es": "CC BY-NC 4.0",
    "airline_tweets_en": "CC BY-NC-SA 4.0",
}
#: A mapped category that is `pqr` unless the taxonomy's high-level signals fire in the text.
PQR_UNLESS_SIGNALS = "pqr+signals"
#: Formal complaint letters are far longer than a social-media comment; their opening
#: carries the claim, and the rest would make one letter outweigh a hundred tweets.
LONG_TEXT_CHARS = 600
_REDACTION_RE = re.compile(r"\{?\$?X{2,}(?:[/.,]X{2,})*(?:[/.]\d+)?\}?")
_SPACES_RE = re.compile(r"[ \t]+")
_DEFAULT_LEVEL = {"pqr": "green", "insult": "yellow", "high_level": "red", "other": "green"}


def load_mapping(path: str | Path = MAPPING_PATH) -> dict[str, dict[str, str | None]]:
    """Dataset -> source label -> category (or None: left out)."""
    with Path(path).open(encoding="utf-8") as handle:
        mapping = json.load(handle)
    return {name: labels for name, labels in mapping.items() if isinstance(labels, dict)}


def dataset_of(row: dict, fallback: str = "") -> str:
    """A row's dataset, read from its id (`<dataset>-<original id>`)."""
    row_id = str(row.get("id", ""))
    return row_id.split("-", 1)[0] if "-" in row_id else fallback


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cleaned_text(text: str) -> str:
    """The text as a comment would read: redactions dropped, letters cut to their opening."""
    if "XX" in text:
        text = _SPACES_RE.sub(" ", _REDACTION_RE.sub("", text))
    if len(text) <= LONG_TEXT_CHARS:
        return text.strip()
    cut = text[:LONG_TEXT_CHARS]
    end = max(cut.rfind(". "), cut.rfind(".\n"))
    return (cut[: end + 1] if end > LONG_TEXT_CHARS // 3 else cut).strip()


def category_for(label: object, labels: dict[str, str | None]) -> str | None:
    if isinstance(label, str) and label in labels:
        return labels[label]
    return labels.get("*")


def mapped_rows(
    rows: Iterable[dict], mapping: dict[str, dict[str, str | None]], fallback: str = ""
) -> list[dict]:
    """Rows in the corpus schema (category, level, `source`), for the labels the mapping keeps.

    The level is the taxonomy's usual level for the category: the sources say nothing about
    reach or hostility, so figures on these rows are read per category only.
    """
    result = []
    pending: list[dict] = []
    for row in rows:
        dataset = dataset_of(row, fallback)
        labels = mapping.get(dataset)
        if labels is None or not isinstance(row.get("text"), str):
            continue
        category = category_for(row.get("source_label"), labels)
        if category is None:
            continue
        mapped: dict[str, Any] = {
            "id": row.get("id"),
            "text": cleaned_text(row["text"]),
            "lang": row.get("lang"),
            "source": dataset,
            "source_label": row.get("source_label"),
            "category": category,
        }
        if category == PQR_UNLESS_SIGNALS:
            pending.append(mapped)
        result.append(mapped)
    _settle_pqr_unless_signals(pending)
    for mapped in result:
        mapped["level"] = _DEFAULT_LEVEL[mapped["category"]]
    return result


def _settle_pqr_unless_signals(rows: Sequence[dict]) -> None:
    if not rows:
        return
    from classifier.pipeline import analyse_texts
    from classifier.signals import HIGH_LEVEL_SIGNALS

    for row, analysis in zip(rows, analyse_texts([row["text"] for row in rows]), strict=True):
        fired = analysis.signals.fired
        row["category"] = "high_level" if any(s in fired for s in HIGH_LEVEL_SIGNALS) else "pqr"


def read_real_file(path: str | Path) -> list[dict]:
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_real(
    directory: str | Path = REAL_DIR,
    datasets: Sequence[str] = PERMISSIVE,
    mapping: dict[str, dict[str, str | None]] | None = None,
) -> tuple[list[dict], list[dict]]:
    """The mapped rows of the datasets found in `directory`, and a manifest of the files read.

    A dataset whose file is absent is skipped: the trainer runs with whatever is there, and
    the manifest says exactly what that was.
    """
    mapping = mapping if mapping is not None else load_mapping()
    rows: list[dict] = []
    manifest: list[dict] = []
    for dataset in datasets:
        path = Path(directory) / f"{dataset}.jsonl"
        if not path.is_file():
            continue
        mapped = mapped_rows(read_real_file(path), mapping, fallback=dataset)
        rows.extend(mapped)
        manifest.append(
            {
                "dataset": dataset,
                "file": path.name,
                "sha256": file_sha256(path),
                "rows": len(mapped),
                "licence": LICENCES.get(dataset, "unknown"),
            }
        )
    return rows, manifest
