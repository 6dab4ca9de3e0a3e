"""Validation of pushed comment items, field by field, with the reason a client can act on.

Written by hand rather than with DRF serializers: a batch of 1,000 items must validate in a few
milliseconds, and every message must name the item's index and the field.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from core.errors import DomainError
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


REQUIRED = ("platform", "external_id", "text", "author_handle")
OPTIONAL = (
    "author_display_name",
    "author_followers",
    "likes",
    "shares",
    "posted_at",
    "url",
    "lang",
    "in_reply_to",
    "account",
)
KNOWN_FIELDS = frozenset(REQUIRED + OPTIONAL)
PLATFORMS = frozenset(Platform.values)
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
_url_validator = URLValidator(schemes=["http", "https"])


class _Invalid(Exception):
    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message


def validate_items(items: list[Any], *, max_text_chars: int) -> list[CommentItem]:
    """Every item valid, or IngestValidationError listing every problem found."""
    errors: list[ItemError] = []
    valid: list[CommentItem] = []
    for index, item in enumerate(items):
        item_errors = _item_errors(item, max_text_chars)
        if item_errors:
            errors.extend(ItemError(index, field, message) for field, message in item_errors)
        elif not errors:
            valid.append(_to_item(item, max_text_chars))
    if errors:
        raise IngestValidationError(errors)
    return valid


def _item_errors(item: Any, max_text_chars: int) -> list[tuple[str | None, str]]:
    if not isinstance(item, dict):
        return [(None, "must be a JSON object")]
    problems: list[tuple[str | None, str]] = [
        (name, "unknown field") for name in sorted(item.keys() - KNOWN_FIELDS)
    ]
    problems.extend((name, "this field is required") for name in REQUIRED if name not in item)
    for name, check in _CHECKS.items():
        if name in item:
            try:
                check(item[name], max_text_chars)
            except _Invalid as problem:
                problems.append((name, problem.message))
    return problems


def _to_item(item: dict, max_text_chars: int) -> CommentItem:
    posted_at = item.get("posted_at")
    return CommentItem(
        platform=item["platform"],
        external_id=item["external_id"],
        text=item["text"].strip(),
        author_handle=item["author_handle"].strip(),
        author_display_name=item.get("author_display_name") or "",
        author_followers=item.get("author_followers") or 0,
        likes=item.get("likes") or 0,
        shares=item.get("shares") or 0,
        posted_at=_parse_datetime(posted_at) if posted_at is not None else None,
        url=item.get("url") or "",
        lang=item.get("lang") or "",
        in_reply_to=item.get("in_reply_to") or "",
        account=item.get("account") or "",
        raw=item,
    )


# --- field checks ---------------------------------------------------------------------------


def _string(value: Any, *, max_length: int, allow_blank: bool = False) -> str:
    if not isinstance(value, str):
        raise _Invalid("", "must be a string")
    if not allow_blank and not value.strip():
        raise _Invalid("", "must not be blank")
    if len(value) > max_length:
        raise _Invalid("", f"must be at most {max_length} characters")
    return value


def _check_platform(value: Any, _max_text: int) -> None:
    if not isinstance(value, str) or value not in PLATFORMS:
        raise _Invalid("", f"must be one of: {', '.join(sorted(PLATFORMS))}")


def _check_short_string(value: Any, _max_text: int) -> None:
    _string(value, max_length=255)


def _check_optional_string(value: Any, _max_text: int) -> None:
    if value is not None:
        _string(value, max_length=255, allow_blank=True)


def _check_text(value: Any, max_text: int) -> None:
    if not isinstance(value, str):
        raise _Invalid("", "must be a string")
    length = len(value.strip())
    if length == 0:
        raise _Invalid("", "must not be empty")
    if length > max_text:
        raise _Invalid("", f"must be at most {max_text} characters after trimming")
    if "\x00" in value:
        raise _Invalid("", "must not contain NUL characters")


def _check_count(value: Any, _max_text: int) -> None:
    if value is None:
        return
    # bool is an int in Python; a client sending true for a count has a bug worth telling.
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid("", "must be an integer")
    if value < 0:
        raise _Invalid("", "must be zero or more")
    if value > 2**62:
        raise _Invalid("", "is too large")


def _check_posted_at(value: Any, _max_text: int) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise _Invalid("", "must be an ISO 8601 date-time string")
    _parse_datetime(value)


def _parse_datetime(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _Invalid("", "must be an ISO 8601 date-time, e.g. 2026-11-23T10:15:00Z") from None
    if timezone.is_naive(parsed):
        raise _Invalid("", "must include a time zone, e.g. Z or -05:00")
    return parsed


def _check_url(value: Any, _max_text: int) -> None:
    if value is None or value == "":
        return
    _string(value, max_length=2000)
    try:
        _url_validator(value)
    except DjangoValidationError:
        raise _Invalid("", "must be a valid http(s) URL") from None


def _check_lang(value: Any, _max_text: int) -> None:
    if value is None or value == "":
        return
    if not isinstance(value, str) or not _LANG.match(value):
        raise _Invalid("", "must be a language code such as es or en")


_CHECKS = {
    "platform": _check_platform,
    "external_id": _check_short_string,
    "text": _check_text,
    "author_handle": _check_short_string,
    "author_display_name": _check_optional_string,
    "author_followers": _check_count,
    "likes": _check_count,
    "shares": _check_count,
    "posted_at": _check_posted_at,
    "url": _check_url,
    "lang": _check_lang,
    "in_reply_to": _check_optional_string,
    "account": _check_optional_string,
}
