"""Validation of pushed comment items: each item decoded and checked in one step by pydantic,
every problem reported with the item's index, the field and a reason a client can act on.

pydantic-core checks types, lengths, ranges and characters in compiled code (a batch of 1,000
items in a few milliseconds) and reports every error of every item, not only the first, so one
answer tells a client all it must fix. The limits themselves are ``core.inputs``'.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, Required

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from pydantic import AfterValidator, ConfigDict, TypeAdapter, ValidationInfo
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import ErrorDetails
from typing_extensions import TypedDict

from core.errors import DomainError
from core.inputs import (
    CONTROLS_MESSAGE,
    Count,
    Identifier,
    LanguageCode,
    Timestamp,
    Url,
    invalid,
)
from core.platforms import Platform


@dataclass(frozen=True, slots=True)
class ItemError:
    index: int | None
    field: str | None
    message: str

    def as_dict(self) -> dict[str, int | str | None]:
        data: dict[str, int | str | None] = {"field": self.field, "message": self.message}
        if self.index is not None:
            data = {"index": self.index, **data}
        return data


class IngestValidationError(DomainError):
    """The batch was refused as a whole; nothing was written."""

    def __init__(self, errors: list[ItemError]):
        super().__init__(f"{len(errors)} invalid field(s)")
        self.errors = errors

    def as_errors(self) -> list[dict]:
        return [error.as_dict() for error in self.errors]


@dataclass(frozen=True, slots=True)
class CommentItem:
    """One valid item, with the API's defaults applied."""

    platform: str
    external_id: str
    text: str
    author_handle: str
    author_display_name: str
    author_followers: int
    likes: int
    shares: int
    posted_at: datetime | None
    url: str
    lang: str
    in_reply_to: str
    account: str
    raw: dict

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.external_id)


PLATFORMS = tuple(sorted(Platform.values))
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
_url_validator = URLValidator(schemes=["http", "https"])


def _not_blank(value: str) -> str:
    if not value.strip():
        raise invalid("must not be blank")
    return value


def _text(value: str, info: ValidationInfo) -> str:
    text = value.strip()
    if not text:
        raise invalid("must not be empty")
    limit = info.context["max_text_chars"] if info.context else 10_000
    if len(text) > limit:
        raise invalid(f"must be at most {limit} characters after trimming")
    if "\x00" in text:
        raise invalid("must not contain NUL characters")
    # One spelling of each accented letter, so a search or a ripple finds "canción" however
    # the client's keyboard composed it.
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _url(value: str) -> str:
    if value:
        try:
            _url_validator(value)
        except DjangoValidationError:
            raise invalid("must be a valid http(s) URL") from None
    return value


def _lang(value: str) -> str:
    if value and not _LANG.match(value):
        raise invalid("must be a language code such as es or en")
    return value


Handle = Annotated[Identifier, AfterValidator(_not_blank)]


class _Item(TypedDict, total=False):
    """One pushed item as the contract (docs/api.md) defines it. Decoded into a dict holding
    the fields sent: half the cost of a model instance, and ``CommentItem`` is built anyway."""

    __pydantic_config__ = ConfigDict(strict=True, extra="forbid", cache_strings="keys")  # type: ignore[misc]

    platform: Required[Literal[PLATFORMS]]  # type: ignore[valid-type]
    external_id: Required[Handle]
    text: Required[Annotated[str, AfterValidator(_text)]]
    author_handle: Required[Handle]
    author_display_name: Identifier
    author_followers: Count
    likes: Count
    shares: Count
    posted_at: Timestamp
    url: Annotated[Url, AfterValidator(_url)]
    lang: Annotated[LanguageCode, AfterValidator(_lang)]
    in_reply_to: Identifier
    account: Identifier


_batch = TypeAdapter(list[_Item])

#: An item's fields, in the contract's order, and those it must have.
ITEM_FIELDS: tuple[str, ...] = tuple(_Item.__annotations__)
REQUIRED_FIELDS: tuple[str, ...] = tuple(f for f in ITEM_FIELDS if f in _Item.__required_keys__)
#: The fields that are counts: a CSV cell is text, and these are read as whole numbers.
COUNT_FIELDS: tuple[str, ...] = ("author_followers", "likes", "shares")


def validate_items(items: list[Any], *, max_text_chars: int) -> list[CommentItem]:
    """Every item valid, or IngestValidationError listing every problem of every item."""
    try:
        decoded = _batch.validate_python(items, context={"max_text_chars": max_text_chars})
    except PydanticValidationError as error:
        raise IngestValidationError(
            [_item_error(e) for e in error.errors(include_url=False, include_input=False)]
        ) from None
    return [
        CommentItem(
            platform=item["platform"],
            external_id=item["external_id"],
            text=item["text"],
            author_handle=item["author_handle"].strip(),
            author_display_name=item.get("author_display_name", ""),
            author_followers=item.get("author_followers", 0),
            likes=item.get("likes", 0),
            shares=item.get("shares", 0),
            posted_at=item.get("posted_at"),
            url=item.get("url", ""),
            lang=item.get("lang", ""),
            in_reply_to=item.get("in_reply_to", ""),
            account=item.get("account", ""),
            raw=raw,
        )
        for item, raw in zip(decoded, items, strict=True)
    ]


def validate_each(
    items: list[Any], *, max_text_chars: int
) -> tuple[list[tuple[int, CommentItem]], list[ItemError]]:
    """The valid items with their index, and every problem of the others: an import files the
    good rows of a batch and reports the bad ones, where the API refuses the whole request.

    One pass over the batch; a batch with invalid items costs one more pass over the rest."""
    try:
        return list(enumerate(validate_items(items, max_text_chars=max_text_chars))), []
    except IngestValidationError as refused:
        errors = refused.errors
    bad = {error.index for error in errors}
    kept = [index for index in range(len(items)) if index not in bad]
    valid = validate_items([items[index] for index in kept], max_text_chars=max_text_chars)
    return list(zip(kept, valid, strict=True)), errors


def _item_error(error: ErrorDetails) -> ItemError:
    """pydantic's error as the API's: ``loc`` is (index, field) or (index,) for the item."""
    index, *path = error["loc"] or (None,)
    field = next((part for part in path if isinstance(part, str)), None)
    return ItemError(index if isinstance(index, int) else None, field, error_message(error))


def error_message(error: ErrorDetails) -> str:
    """pydantic's reason in the API's words."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "semaforo":
        return error["msg"]
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "must be a JSON object"
    if kind == "literal_error":
        return f"must be one of: {', '.join(PLATFORMS)}"
    if kind == "greater_than_equal" and ctx.get("ge") == 0:
        return "must be zero or more"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']}"
    if kind == "string_too_long":
        return f"must be at most {ctx['max_length']} characters"
    if kind == "string_pattern_mismatch":
        return CONTROLS_MESSAGE
    return _MESSAGES.get(kind, error["msg"])


_MESSAGES = {
    "missing": "this field is required",
    "extra_forbidden": "unknown field",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "list_type": "the body must be a JSON object or a list of objects",
}
