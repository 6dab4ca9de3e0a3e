"""Meta's webhooks (Facebook Pages and Instagram): the handshake, the signature, and the comment
changes of a delivery as our API's items.

Meta signs each delivery's raw body with the app's secret (``X-Hub-Signature-256``) and verifies
our endpoint once with a token we chose (``hub.verify_token``). Both settings default to empty,
which refuses everything: an unconfigured desk accepts no delivery.

The shapes are Meta's documented ones. A delivery is ``{"object": "page" | "instagram",
"entry": [{"id": <page or account id>, "time": …, "changes": [{"field", "value"}]}]}``:

- a Page's ``feed`` change with ``value.item == "comment"`` and ``value.verb`` ``add``,
  ``edited`` or ``remove``, carrying ``comment_id``, ``post_id``, ``parent_id``, ``message``,
  ``created_time`` and ``from: {id, name}``;
- an Instagram ``comments`` change, a new comment: ``value: {id, text, from: {id, username},
  media: {id, media_product_type}, parent_id?}``.

Every other change (reactions, posts, mentions…) is counted as ignored.
"""

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, TypeAdapter
from typing_extensions import TypedDict

from comments.connectors.shapes import decode, iso_of_unix
from core.errors import DomainError
from core.platforms import Platform

SIGNATURE_HEADER = "X-Hub-Signature-256"
_SIGNATURE_PREFIX = "sha256="
#: Meta's challenge is a number; anything else is not echoed back.
_CHALLENGE = re.compile(r"^[A-Za-z0-9_.-]{1,255}$")
_PLATFORM_OF_OBJECT = {"page": Platform.FACEBOOK, "instagram": Platform.INSTAGRAM}


def signature_valid(body: bytes, header: str | None, *, secret: str) -> bool:
    """Whether ``header`` is ``sha256=`` + HMAC-SHA256 of the raw body with the app's secret,
    compared in constant time. No secret configured: nothing is valid."""
    if not secret or not header or not header.startswith(_SIGNATURE_PREFIX):
        return False
    expected = _SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().lower().encode())


def signature_of(body: bytes, *, secret: str) -> str:
    """The header Meta would send for ``body``: for tests and for the README's curl example."""
    return _SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verification_challenge(params: Mapping[str, str], *, verify_token: str) -> str | None:
    """The challenge to answer when Meta verifies the endpoint with our token; None refuses."""
    token = params.get("hub.verify_token", "")
    challenge = params.get("hub.challenge", "")
    if params.get("hub.mode") != "subscribe" or not verify_token or not token:
        return None
    if not hmac.compare_digest(verify_token.encode(), token.encode()):
        return None
    return challenge if _CHALLENGE.match(challenge) else None


class Verb(StrEnum):
    ADD = "add"
    EDITED = "edited"
    REMOVE = "remove"


@dataclass(frozen=True, slots=True)
class SourceChange:
    """One comment change of a delivery, routed by the account that received it.

    ``item`` is an item of our API (``docs/api.md``) for ``add`` and ``edited``; for ``remove``
    only ``platform`` and ``external_id`` are known.
    """

    platform: str
    account_id: str
    verb: Verb
    item: dict

    @property
    def external_id(self) -> str:
        return self.item["external_id"]


@dataclass(frozen=True, slots=True)
class RawChange:
    """A change as the delivery carries it, before it is read: each is read on its own, so one
    malformed change fails alone."""

    object: str
    account_id: str
    time: int | None
    field: str
    value: Any


_LAX = ConfigDict(extra="allow")


class _Change(TypedDict, total=False):
    __pydantic_config__ = _LAX  # type: ignore[misc]
    field: str
    value: Any


class _Entry(TypedDict, total=False):
    __pydantic_config__ = _LAX  # type: ignore[misc]
    id: str | int
    time: int
    changes: list[_Change]


class _Delivery(TypedDict, total=False):
    __pydantic_config__ = _LAX  # type: ignore[misc]
    object: str
    entry: list[_Entry]


_delivery = TypeAdapter(_Delivery)


def delivery_changes(payload: Any) -> list[RawChange]:
    """The delivery's changes in order; IngestValidationError when it is not Meta's envelope."""
    delivery = decode(_delivery, payload)
    return [
        RawChange(
            object=delivery.get("object", ""),
            account_id=str(entry.get("id", "")),
            time=entry.get("time"),
            field=change.get("field", ""),
            value=change.get("value"),
        )
        for entry in delivery.get("entry", [])
        for change in entry.get("changes", [])
    ]


def change_read(raw: RawChange) -> SourceChange | None:
    """The comment change, or None for a change the desk does not take (not a comment, the
    account's own reply). DomainError when a comment change lacks what it needs."""
    platform = _PLATFORM_OF_OBJECT.get(raw.object)
    if platform is None or not isinstance(raw.value, dict):
        return None
    if platform == Platform.FACEBOOK and raw.field == "feed":
        return _feed_comment(raw, raw.value)
    if platform == Platform.INSTAGRAM and raw.field == "comments":
        return _instagram_comment(raw, raw.value)
    return None


def _feed_comment(raw: RawChange, value: dict) -> SourceChange | None:
    if value.get("item") != "comment" or value.get("verb") not in set(Verb):
        return None
    verb = Verb(value["verb"])
    comment_id = _required_id(value, "comment_id")
    author = _from(value)
    if str(author.get("id", "")) == raw.account_id:
        return None  # the Page answering its own post: the brand's reply, not a customer
    if verb == Verb.REMOVE:
        item = {"platform": Platform.FACEBOOK.value, "external_id": comment_id}
        return SourceChange(Platform.FACEBOOK, raw.account_id, verb, item)
    parent = str(value.get("parent_id") or "")
    item = {
        "platform": Platform.FACEBOOK.value,
        "external_id": comment_id,
        "text": _text(value.get("message"), value.get("photo")),
        **_author(author, handle_key="id", name_key="name", fallback=comment_id),
    }
    if parent and parent != str(value.get("post_id") or ""):
        item["in_reply_to"] = parent
    posted = value.get("created_time")
    if isinstance(posted, int) and not isinstance(posted, bool) and posted >= 0:
        item["posted_at"] = iso_of_unix(posted)
    return SourceChange(Platform.FACEBOOK, raw.account_id, verb, item)


def _instagram_comment(raw: RawChange, value: dict) -> SourceChange | None:
    comment_id = _required_id(value, "id")
    author = _from(value)
    if str(author.get("id", "")) == raw.account_id:
        return None
    item = {
        "platform": Platform.INSTAGRAM.value,
        "external_id": comment_id,
        "text": _text(value.get("text"), None),
        **_author(author, handle_key="username", name_key="username", fallback=comment_id),
    }
    if value.get("parent_id"):
        item["in_reply_to"] = str(value["parent_id"])
    # Instagram's change carries no time of its own: the entry's is when Meta sent it.
    if isinstance(raw.time, int) and not isinstance(raw.time, bool) and raw.time >= 0:
        item["posted_at"] = iso_of_unix(raw.time)
    return SourceChange(Platform.INSTAGRAM, raw.account_id, Verb.ADD, item)


def _from(value: dict) -> dict:
    found = value.get("from")
    return found if isinstance(found, dict) else {}


def _required_id(value: dict, key: str) -> str:
    found = value.get(key)
    if isinstance(found, bool) or not isinstance(found, str | int) or not str(found):
        raise DomainError(f"a comment change must carry its {key}", field=f"value.{key}")
    return str(found)


def _text(message: Any, photo: Any) -> Any:
    """The comment's words; a comment that is only a photo reads as its link, so it still
    reaches the queue. A non-string is left for intake to refuse by name."""
    if message in (None, "") and isinstance(photo, str) and photo:
        return f"[photo] {photo}"
    return message


def _author(author: dict, *, handle_key: str, name_key: str, fallback: str) -> dict:
    """The commenter as our item names them. Meta leaves ``from`` out when the person's
    settings hide them: the comment is then its own unnamed author."""
    handle = author.get(handle_key) or author.get("id")
    fields = {"author_handle": str(handle) if handle else f"unknown:{fallback}"}
    name = author.get(name_key)
    if isinstance(name, str) and name:
        fields["author_display_name"] = name
    return fields
