"""What a stranger may send us, as types checked at the door (pydantic v2).

Every value that comes from outside (an API item, a query filter) is decoded into one of these
types before anything else reads it, so the limits live in one place: timestamps between
1970-01-01 and a day after now (PostgreSQL stores a BC date that its driver cannot read back,
and a year-9999 date overflows the first arithmetic done on it); counts within a
``PositiveBigIntegerField``; identifiers with no control characters (a NUL is a database
error, a line break a forged mail header).

Messages are the API's: short, in English, and named by the caller with the field.
"""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import Field, PlainValidator, Strict, StringConstraints
from pydantic_core import PydanticCustomError

#: The largest value of a ``PositiveBigIntegerField`` (a signed 64-bit column).
MAX_COUNT = 2**63 - 1
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
#: How far ahead of our clock a client's clock may run.
CLOCK_SKEW = timedelta(days=1)

#: No C0 or C1 control character (NUL, line breaks, tabs, DEL…) and no Unicode line or
#: paragraph separator: what a header, a log line or a SQL driver must never be handed.
NO_CONTROLS = r"^[^\p{Cc}\p{Zl}\p{Zp}]*$"
CONTROLS_MESSAGE = "must not contain control characters"


def invalid(message: str) -> PydanticCustomError:
    """A check of ours that failed, carrying the message the client reads."""
    return PydanticCustomError("semaforo", message)


Count = Annotated[int, Strict(), Field(ge=0, le=MAX_COUNT)]


#: An id, a handle, a name: at most 255 characters (the columns' size), no control character.
Identifier = Annotated[str, Strict(), StringConstraints(max_length=255, pattern=NO_CONTROLS)]
Url = Annotated[str, Strict(), StringConstraints(max_length=2000, pattern=NO_CONTROLS)]
LanguageCode = Annotated[str, Strict(), StringConstraints(max_length=8, pattern=NO_CONTROLS)]


def _timestamp_of(value: Any) -> datetime:
    """ISO 8601 with a zone, within [1970-01-01, now + 1 day]. One function rather than
    pydantic's datetime and two validators: a third of the cost, and pydantic also reads digit
    strings as Unix times, which the contract does not."""
    if not isinstance(value, str):
        raise invalid(_ISO_MESSAGE)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise invalid(_ISO_MESSAGE) from None
    if parsed.utcoffset() is None:
        raise invalid("must include a time zone, e.g. Z or -05:00")
    if parsed < EARLIEST:
        raise invalid(TOO_EARLY)
    if too_late(parsed):
        raise invalid(TOO_LATE)
    return parsed


TOO_EARLY = "must be on or after 1970-01-01T00:00:00Z"
TOO_LATE = "must be no later than one day from now"


def too_late(value: datetime) -> bool:
    """Past now plus a day. Compared as it came (aware): a year-9999 date with a negative
    offset is past what a datetime can hold once converted to UTC."""
    return value > datetime.now(UTC) + CLOCK_SKEW


_ISO_MESSAGE = "must be an ISO 8601 date-time, e.g. 2026-11-23T10:15:00Z"

Timestamp = Annotated[datetime, PlainValidator(_timestamp_of)]
