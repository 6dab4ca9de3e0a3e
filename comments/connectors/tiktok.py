"""A TikTok comment list, forwarded unchanged, as our API's items.

The Research API's ``POST /v2/research/video/comment/list/`` answers ``{"data": {"comments":
[…], "cursor", "has_more"}, "error": {…}}``, a comment being ``{"id", "video_id", "text",
"like_count", "reply_count", "parent_comment_id", "create_time"}`` (ids are 64-bit numbers,
``create_time`` a Unix time). The Research API does not name the commenter; tools that add
``username`` (and ``display_name``) have it used as the author. Without one, each comment is its
own unnamed author, ``tiktok:<comment id>``: comments are never merged on a guess.

A reply answers its ``parent_comment_id`` when that is not the video itself.
"""

from typing import Annotated, Any, Required

from pydantic import ConfigDict, Field, Strict, TypeAdapter
from typing_extensions import TypedDict

from comments.connectors.shapes import Mapped, UnixTime, decode, iso_of_unix
from core.inputs import Count, Identifier
from core.platforms import Platform

_LAX = ConfigDict(extra="allow")
#: TikTok's ids are int64 numbers in JSON.
_Id = Annotated[int, Strict(), Field(ge=0)]


class _Comment(TypedDict, total=False):
    __pydantic_config__ = _LAX  # type: ignore[misc]
    id: Required[_Id]
    text: Required[str]
    video_id: _Id
    like_count: Count
    reply_count: Count
    parent_comment_id: _Id
    create_time: UnixTime
    username: Identifier
    display_name: Identifier


class _Data(TypedDict, total=False):
    __pydantic_config__ = _LAX  # type: ignore[misc]
    comments: Required[list[_Comment]]


class _Page(TypedDict, total=False):
    __pydantic_config__ = _LAX  # type: ignore[misc]
    data: Required[_Data]


_page = TypeAdapter(_Page)

FIELDS = {
    "external_id": "id",
    "text": "text",
    "author_handle": "username",
    "author_display_name": "display_name",
    "likes": "like_count",
    "posted_at": "create_time",
    "in_reply_to": "parent_comment_id",
}


def comment_list_items(page: Any) -> Mapped:
    """Every comment of the list, in order, as our items; bad fields raise
    IngestValidationError, each named by its path (``data.comments[3].text``)."""
    comments = decode(_page, page)["data"]["comments"]
    return Mapped(
        items=[_item(comment) for comment in comments],
        paths=[f"data.comments[{i}]" for i in range(len(comments))],
        fields=FIELDS,
    )


def _item(comment: dict) -> dict:
    external_id = str(comment["id"])
    item: dict[str, Any] = {
        "platform": Platform.TIKTOK.value,
        "external_id": external_id,
        "text": comment["text"],
        "author_handle": comment.get("username") or f"tiktok:{external_id}",
        "likes": comment.get("like_count", 0),
    }
    if comment.get("display_name"):
        item["author_display_name"] = comment["display_name"]
    if "create_time" in comment:
        item["posted_at"] = iso_of_unix(comment["create_time"])
    parent = str(comment.get("parent_comment_id", ""))
    if parent and parent != str(comment.get("video_id", "")):
        item["in_reply_to"] = parent
    return item
