"""YouTube and TikTok API answers forwarded unchanged to their endpoints."""

import pytest

from comments.models import Comment
from core.taxonomy import Level
from tests.factories import GREEN_TEXT, RED_TEXT

pytestmark = pytest.mark.django_db

YOUTUBE = "/api/v1/connectors/youtube/comment-threads/"
TIKTOK = "/api/v1/connectors/tiktok/comments/"


def yt_comment(comment_id: str, text: str, *, channel: str, parent: str | None = None) -> dict:
    snippet = {
        "channelId": "UCaurora",
        "videoId": "dQw4w9WgXcQ",
        "textDisplay": text,
        "textOriginal": text,
        "authorDisplayName": f"@{channel.lower()}",
        "authorProfileImageUrl": "https://yt3.ggpht.com/a.jpg",
        "authorChannelUrl": f"http://www.youtube.com/@{channel.lower()}",
        "authorChannelId": {"value": channel},
        "canRate": True,
        "viewerRating": "none",
        "likeCount": 12,
        "publishedAt": "2026-11-30T14:05:09Z",
        "updatedAt": "2026-11-30T14:05:09Z",
    }
    if parent:
        snippet["parentId"] = parent
    return {"kind": "youtube#comment", "etag": "x", "id": comment_id, "snippet": snippet}


def yt_page(*threads: dict) -> dict:
    return {
        "kind": "youtube#commentThreadListResponse",
        "etag": "abc",
        "nextPageToken": "QURTSl9p",
        "pageInfo": {"totalResults": len(threads), "resultsPerPage": 20},
        "items": list(threads),
    }


def yt_thread(top: dict, *replies: dict) -> dict:
    thread = {
        "kind": "youtube#commentThread",
        "etag": "y",
        "id": top["id"],
        "snippet": {
            "channelId": "UCaurora",
            "videoId": "dQw4w9WgXcQ",
            "topLevelComment": top,
            "canReply": True,
            "totalReplyCount": len(replies),
            "isPublic": True,
        },
    }
    if replies:
        thread["replies"] = {"comments": list(replies)}
    return thread


def test_a_youtube_comment_threads_page_is_mapped_with_its_replies(api):
    page = yt_page(
        yt_thread(
            yt_comment("UgzTop1", RED_TEXT, channel="UCmaria"),
            yt_comment("UgzTop1.reply1", GREEN_TEXT, channel="UCpedro", parent="UgzTop1"),
        ),
        yt_thread(yt_comment("UgzTop2", GREEN_TEXT, channel="UCana")),
    )
    response = api.post(YOUTUBE, page, format="json")
    assert response.status_code == 201, response.content
    results = response.json()["results"]
    assert [r["external_id"] for r in results] == ["UgzTop1", "UgzTop1.reply1", "UgzTop2"]
    assert results[0]["level"] == Level.RED

    top = Comment.objects.get(external_id="UgzTop1")
    assert (top.platform, top.text, top.likes) == ("youtube", RED_TEXT, 12)
    assert top.author.handle == "UCmaria"
    assert top.author.display_name == "@ucmaria"
    assert top.posted_at.isoformat() == "2026-11-30T14:05:09+00:00"
    assert top.url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=UgzTop1"
    reply = Comment.objects.get(external_id="UgzTop1.reply1")
    assert reply.in_reply_to == "UgzTop1"

    again = api.post(YOUTUBE, page, format="json")
    assert again.status_code == 200
    assert Comment.objects.count() == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            lambda p: p["items"][0]["snippet"]["topLevelComment"]["snippet"].pop("textOriginal"),
            "items[0].snippet.topLevelComment.snippet.textOriginal",
        ),
        (
            lambda p: p["items"][0]["snippet"]["topLevelComment"]["snippet"].update(likeCount=-3),
            "items[0].snippet.topLevelComment.snippet.likeCount",
        ),
        (lambda p: p.pop("items"), "items"),
        (lambda p: p["items"][0].update(snippet="nope"), "items[0].snippet"),
    ],
)
def test_a_bad_youtube_page_answers_400_naming_the_path(api, change, field):
    page = yt_page(yt_thread(yt_comment("UgzBad", GREEN_TEXT, channel="UCx")))
    change(page)
    response = api.post(YOUTUBE, page, format="json")
    assert response.status_code == 400, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Comment.objects.exists()


def test_what_intake_refuses_in_a_youtube_page_is_named_by_its_path(api):
    page = yt_page(
        yt_thread(yt_comment("UgzOk", GREEN_TEXT, channel="UCx")),
        yt_thread(yt_comment("UgzBlank", "   ", channel="UCy")),
    )
    page["items"][1]["snippet"]["topLevelComment"]["snippet"]["publishedAt"] = "yesterday"
    response = api.post(YOUTUBE, page, format="json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {
        "items[1].snippet.topLevelComment.snippet.textOriginal",
        "items[1].snippet.topLevelComment.snippet.publishedAt",
    }
    assert not Comment.objects.exists()


def tiktok_page(*comments: dict) -> dict:
    return {
        "data": {"comments": list(comments), "cursor": len(comments), "has_more": False},
        "error": {"code": "ok", "message": "", "log_id": "20261130"},
    }


def tiktok_comment(comment_id: int, text: str, **extra) -> dict:
    return {
        "id": comment_id,
        "video_id": 7_300_000_000_000_000_001,
        "text": text,
        "like_count": 4,
        "reply_count": 0,
        "parent_comment_id": 7_300_000_000_000_000_001,
        "create_time": 1_764_500_000,
        **extra,
    }


def test_a_tiktok_comment_list_is_mapped(api):
    page = tiktok_page(
        tiktok_comment(7_311_000_000_000_000_001, RED_TEXT, username="lupita.mx"),
        tiktok_comment(
            7_311_000_000_000_000_002, GREEN_TEXT, parent_comment_id=7_311_000_000_000_000_001
        ),
    )
    response = api.post(TIKTOK, page, format="json")
    assert response.status_code == 201, response.content
    first, reply = (
        Comment.objects.get(external_id="7311000000000000001"),
        Comment.objects.get(external_id="7311000000000000002"),
    )
    assert (first.platform, first.likes, first.level) == ("tiktok", 4, Level.RED)
    assert first.author.handle == "lupita.mx"
    assert first.in_reply_to == ""
    assert first.posted_at.timestamp() == 1_764_500_000
    assert reply.in_reply_to == "7311000000000000001"
    assert reply.author.handle == "tiktok:7311000000000000002", "an unnamed commenter"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda c: c.pop("text"), "data.comments[0].text"),
        (lambda c: c.update(like_count="many"), "data.comments[0].like_count"),
        (lambda c: c.update(create_time=-5), "data.comments[0].create_time"),
        (lambda c: c.update(create_time=4_102_444_800), "data.comments[0].create_time"),
        (lambda c: c.update(text=""), "data.comments[0].text"),
    ],
)
def test_a_bad_tiktok_list_answers_400_naming_the_path(api, change, field):
    comment = tiktok_comment(1, GREEN_TEXT)
    change(comment)
    response = api.post(TIKTOK, tiktok_page(comment), format="json")
    assert response.status_code == 400, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Comment.objects.exists()


def test_a_tiktok_body_without_data_answers_400(api):
    response = api.post(TIKTOK, {"comments": []}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "data"


def test_the_connectors_need_a_pushing_token(anonymous_api, client, alice):
    page = tiktok_page(tiktok_comment(2, GREEN_TEXT))
    assert anonymous_api.post(TIKTOK, page, format="json").status_code == 401
    client.force_login(alice)
    assert client.post(YOUTUBE, yt_page(), content_type="application/json").status_code == 403
    assert not Comment.objects.exists()
