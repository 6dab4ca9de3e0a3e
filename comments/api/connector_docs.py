"""The documented shapes of the connectors' bodies and answers (OpenAPI only: the connectors
decode with pydantic, ``comments.connectors`` and ``comments.engagement``)."""

from rest_framework import serializers

from comments.api.serializers import NO_CONTROLS_PATTERN, NOT_BLANK_PATTERN
from core.inputs import MAX_COUNT
from core.platforms import Platform

_TEXT_PATTERN = "^[^\\x00]*[^\\s\\x00][^\\x00]*$"


def _count(**extra):
    return serializers.IntegerField(min_value=0, max_value=MAX_COUNT, **extra)


def _handle(**extra):
    return serializers.RegexField(NOT_BLANK_PATTERN, max_length=255, **extra)


def _identifier(**extra):
    return serializers.RegexField(NO_CONTROLS_PATTERN, max_length=255, allow_blank=True, **extra)


def _text(**extra):
    return serializers.RegexField(
        _TEXT_PATTERN,
        max_length=10_000,
        help_text="1 to 10,000 characters after trimming.",
        **extra,
    )


class YouTubeChannelIdDoc(serializers.Serializer):
    value = _identifier()


class YouTubeCommentSnippetDoc(serializers.Serializer):
    textOriginal = _text()
    authorDisplayName = _identifier(help_text="The author's handle when there is no channel id.")
    authorChannelId = YouTubeChannelIdDoc(required=False)
    publishedAt = serializers.DateTimeField(
        help_text="ISO 8601, from 1970-01-01 to one day after now."
    )
    likeCount = _count(required=False)
    parentId = _identifier(required=False, help_text="A reply's top-level comment.")
    videoId = _identifier(required=False)


class YouTubeCommentDoc(serializers.Serializer):
    id = _handle()
    snippet = YouTubeCommentSnippetDoc()


class YouTubeThreadSnippetDoc(serializers.Serializer):
    topLevelComment = YouTubeCommentDoc()
    videoId = _identifier(required=False)
    channelId = serializers.CharField(required=False, allow_blank=True)


class YouTubeRepliesDoc(serializers.Serializer):
    comments = YouTubeCommentDoc(many=True, required=False)


class YouTubeThreadDoc(serializers.Serializer):
    id = serializers.CharField(allow_blank=True, help_text="Not read: each comment has its own.")
    snippet = YouTubeThreadSnippetDoc()
    replies = YouTubeRepliesDoc(required=False)


class YouTubeCommentThreadsDoc(serializers.Serializer):
    """A ``commentThreads.list`` answer as YouTube sends it; other fields are let through."""

    items = YouTubeThreadDoc(many=True)


class TikTokCommentDoc(serializers.Serializer):
    id = serializers.IntegerField(min_value=0, help_text="int64.")
    text = _text()
    video_id = serializers.IntegerField(min_value=0, required=False)
    like_count = _count(required=False)
    reply_count = _count(required=False)
    parent_comment_id = serializers.IntegerField(min_value=0, required=False)
    create_time = serializers.IntegerField(
        min_value=0, required=False, help_text="Unix time, seconds; up to one day after now."
    )
    username = _identifier(
        required=False, help_text="Not in the Research API; used as the author when present."
    )
    display_name = _identifier(required=False)


class TikTokDataDoc(serializers.Serializer):
    comments = TikTokCommentDoc(many=True)


class TikTokCommentListDoc(serializers.Serializer):
    """The Research API's comment list answer as TikTok sends it."""

    # DRF's metaclass moves a declared field out of the class; the stubs see only the body.
    data = TikTokDataDoc()  # type: ignore[assignment]


def _counts_schema() -> dict:
    count = {"type": "integer", "minimum": 0, "maximum": MAX_COUNT}
    return dict.fromkeys(("likes", "shares", "author_followers"), count)


#: Raw JSON Schemas: a serializer cannot say "at least one count", and a PATCH body made from
#: one would drop its required fields (drf-spectacular makes PATCH bodies partial).
METRICS_SCHEMA = {
    "type": "object",
    "description": "At least one count; counts only grow.",
    "properties": _counts_schema(),
    "additionalProperties": False,
    "minProperties": 1,
}
KEYED_METRICS_SCHEMA = {
    "type": "object",
    "properties": {
        "platform": {"type": "string", "enum": sorted(Platform.values)},
        "external_id": {"type": "string", "maxLength": 255, "pattern": NOT_BLANK_PATTERN},
        **_counts_schema(),
    },
    "required": ["platform", "external_id"],
    "additionalProperties": False,
    "minProperties": 3,
}
METRICS_BATCH_SCHEMA = {"type": "array", "items": KEYED_METRICS_SCHEMA, "minItems": 1}


class EngagementResultDoc(serializers.Serializer):
    index = serializers.IntegerField()
    platform = serializers.CharField()
    external_id = serializers.CharField()
    found = serializers.BooleanField(help_text="False: the brand has no such comment (yet).")
    id = serializers.IntegerField(allow_null=True)
    likes = serializers.IntegerField()
    shares = serializers.IntegerField()
    author_followers = serializers.IntegerField()
    level = serializers.CharField()
    category = serializers.CharField()
    changed = serializers.BooleanField(help_text="The comment was classified anew.")


class EngagementResponseDoc(serializers.Serializer):
    results = EngagementResultDoc(many=True)


class MetaHubDoc(serializers.Serializer):
    """A Meta delivery: ``{"object": "page" | "instagram", "entry": [...]}``."""

    object = serializers.CharField()
    entry = serializers.ListField(child=serializers.DictField())
