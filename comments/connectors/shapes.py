"""What the connectors share: a platform's payload decoded by pydantic, its errors named by their
path in that payload, and the platform's values spelt as our API's items.

A connector maps a platform's shape to the items ``comments.intake.ingest`` takes, so a
platform's comment goes through the one intake path. An error then names the field where the
client sent it (``items[2].snippet.topLevelComment.snippet.textOriginal``), not the name our API
gives it, so the brand's script can find what to fix in what it forwarded.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import Field, Strict, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from comments.validation import IngestValidationError, ItemError, error_message

#: A Unix time a platform sends (seconds), within what a datetime can hold; intake's own check
#: then bounds it to [1970, now + 1 day] like any timestamp.
UnixTime = Annotated[int, Strict(), Field(ge=0, le=253_402_300_799)]


def path_of(loc: Sequence[str | int]) -> str:
    """pydantic's ``loc`` as a path a person reads: ``data.comments[3].text``."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path


def decode(adapter: TypeAdapter, payload: Any):
    """The payload decoded, or IngestValidationError naming every bad field by its path."""
    try:
        return adapter.validate_python(payload)
    except PydanticValidationError as error:
        raise IngestValidationError(
            [
                ItemError(None, path_of(e["loc"]) or None, error_message(e))
                for e in error.errors(include_url=False, include_input=False)
            ]
        ) from None


def iso_of_unix(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


@dataclass(frozen=True, slots=True)
class Mapped:
    """Our API's items built from a platform's payload, and where each came from in it."""

    items: list[dict]
    paths: list[str]
    fields: Mapping[str, str]

    def named_in_payload(self, error: IngestValidationError) -> IngestValidationError:
        """Intake's errors (index, our field) as the payload's paths."""
        return IngestValidationError(
            [
                ItemError(
                    None,
                    _joined(self.paths[e.index], self.fields.get(e.field or "", e.field))
                    if e.index is not None
                    else e.field,
                    e.message,
                )
                for e in error.errors
            ]
        )


def _joined(path: str, field: str | None) -> str:
    return f"{path}.{field}" if field else path
