"""A YouTube Data API ``commentThreads.list`` page, forwarded unchanged, as our API's items.

The page is ``{"kind": "youtube#commentThreadListResponse", "items": [thread, …], …}``; a thread
is ``{"id", "snippet": {"videoId", "channelId", "topLevelComment": comment, …}, "replies":
{"comments": [comment, …]}}`` and a comment ``{"id", "snippet": {"textOriginal",
"authorDisplayName", "authorChannelId": {"value"}, "publishedAt", "likeCount", "parentId"?, …}}``.
The fields the desk does not read are let through: a page is forwarded as YouTube sent it.

The commenter is their channel id (stable; a display name can change), named by their display
name. A reply answers its ``parentId``, so it joins its thread's case.
"""

from typing import Any, Required
from urllib.parse import quote

from pydantic import ConfigDict, TypeAdapter
from typing_extensions import TypedDict

from comments.connectors.shapes import Mapped, decode
from core.inputs import Count, Identifier
from core.platforms import Platform

_LAX = ConfigDict(extra="allow")


class _ChannelId(TypedDict, total=False):
    __pydantic_config__ = _LAX  # type: ignore[misc]
    value: Required[str]


class _CommentSnippet(TypedDict, total=False):
    __pydantic_config__ = _LAX  # type: ignore[misc]
    textOriginal: Required[str]
    authorDisplayName: Required[str]
    authorChannelId: _ChannelId
    publishedAt: Required[str]
    likeCount: Count
    parentId: Identifier
    videoId: Identifier
    channelId: str


class _Comment(TypedDict, total=False):
    __pydantic_config__ = _LAX  # type: ignore[misc]
    id: Required[str]
    snippet: Required[_CommentSnippet]


class _ThreadSnippet(TypedDict, total=False):
    __pydantic_config__ = _LAX  # type: ignore[misc]
    topLevelComment: Required[_Comment]
    videoId: Identifier
    channelId: str


class _Replies(TypedDict, total=False):
    __pydantic_config__ = _LAX  # type: ignore[misc]
    comments: list[_Comment]


class _Thread(TypedDict, total=False):
    __pydantic_config__ = _LAX  # type: ignore[misc]
    id: Required[str]
    snippet: Required[_ThreadSnippet]
    replies: _Replies


class _Page(TypedDict, total=False):
    __pydantic_config__ = _LAX  # type: ignore[misc]
    items: Required[list[_Thread]]


_page = TypeAdapter(_Page)

#: Our item's fields as the comment's path names them, for intake's errors.
FIELDS = {
    "external_id": "id",
    "text": "snippet.textOriginal",
    "author_handle": "snippet.authorChannelId.value",
    "author_display_name": "snippet.authorDisplayName",
    "likes": "snippet.likeCount",
    "posted_at": "snippet.publishedAt",
    "in_reply_to": "snippet.parentId",
    "url": "snippet.videoId",
    "account": "snippet.channelId",
}


def comment_threads_items(page: Any) -> Mapped:
    """Every top-level comment and reply of the page, in order, as our items; the page's bad
    fields raise IngestValidationError, each named by its path."""
    decoded = decode(_page, page)
    items, paths = [], []
    for t, thread in enumerate(decoded["items"]):
        snippet = thread["snippet"]
        video = snippet.get("videoId", "")
        items.append(_item(snippet["topLevelComment"], video=video))
        paths.append(f"items[{t}].snippet.topLevelComment")
        for r, reply in enumerate(thread.get("replies", {}).get("comments", [])):
            items.append(_item(reply, video=video))
            paths.append(f"items[{t}].replies.comments[{r}]")
    return Mapped(items=items, paths=paths, fields=FIELDS)


def _item(comment: dict, *, video: str) -> dict:
    snippet = comment["snippet"]
    channel = snippet.get("authorChannelId", {}).get("value", "")
    item = {
        "platform": Platform.YOUTUBE.value,
        "external_id": comment["id"],
        "text": snippet["textOriginal"],
        "author_handle": channel or snippet["authorDisplayName"],
        "author_display_name": snippet["authorDisplayName"],
        "likes": snippet.get("likeCount", 0),
        "posted_at": snippet["publishedAt"],
    }
    if snippet.get("parentId"):
        item["in_reply_to"] = snippet["parentId"]
    video = snippet.get("videoId") or video
    if video:
        item["url"] = (
            f"https://www.youtube.com/watch?v={quote(video, safe='')}"
            f"&lc={quote(comment['id'], safe='')}"
        )
    return item
