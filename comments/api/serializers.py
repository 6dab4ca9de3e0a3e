"""Output serializers, and the documented shape of a pushed item (validation is in
``comments.validation``: it must run a thousand items in milliseconds)."""

from typing import TYPE_CHECKING

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.customers import customer_personal_data
from cases.privacy import mask_comment_text, mask_personal_data
from comments.models import Author, Classification, Comment
from core.inputs import MAX_COUNT
from core.pii import mask_text
from core.platforms import Platform

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# The documented shape of an item: the same limits ``comments.validation`` holds items to
# (``core.inputs``), spelt as JSON Schema patterns so a generated client (or a fuzzer) knows them.
NO_CONTROLS_PATTERN = "^[^\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]*$"
NOT_BLANK_PATTERN = (
    "^[^\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]*[^\\s\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]"
    "[^\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]*$"
)


def _identifier(*, max_length: int = 255, required: bool = False, blank: bool = True):
    return serializers.RegexField(
        NO_CONTROLS_PATTERN if blank else NOT_BLANK_PATTERN,
        max_length=max_length,
        required=required,
        allow_blank=blank,
    )


def _count():
    return serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False, default=0)


@extend_schema_field(
    {
        "anyOf": [
            {"type": "string", "format": "uri", "maxLength": 2000},
            {"type": "string", "maxLength": 0},
        ]
    }
)
class _OptionalUrl(serializers.URLField):
    """An http(s) URL, or empty when the platform gave none."""


class CommentItemDoc(serializers.Serializer):
    platform = serializers.ChoiceField(choices=Platform.choices)
    external_id = _identifier(required=True, blank=False)
    text = serializers.RegexField(
        "^[^\\x00]*[^\\s\\x00][^\\x00]*$",
        max_length=10_000,
        help_text="1 to 10,000 characters after trimming; no NUL.",
    )
    author_handle = _identifier(required=True, blank=False)
    author_display_name = _identifier()
    author_followers = _count()
    likes = _count()
    shares = _count()
    posted_at = serializers.DateTimeField(
        required=False, help_text="ISO 8601 with a zone, from 1970-01-01 to one day after now."
    )
    url = _OptionalUrl(required=False, allow_blank=True, max_length=2000)
    # Empty when the platform did not say: the classifier then guesses.
    lang = serializers.RegexField(
        "^([a-z]{2,3}(-[A-Za-z0-9]{2,4})?)?$", required=False, allow_blank=True
    )
    in_reply_to = _identifier()
    account = _identifier()


class ReasonDoc(serializers.Serializer):
    signal = serializers.CharField()
    evidence = serializers.CharField()


class IngestResultDoc(serializers.Serializer):
    index = serializers.IntegerField()
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    created = serializers.BooleanField()
    category = serializers.CharField()
    level = serializers.CharField()
    confidence = serializers.FloatField()
    reasons = ReasonDoc(many=True)


class IngestResponseDoc(serializers.Serializer):
    results = IngestResultDoc(many=True)


class ErrorDoc(serializers.Serializer):
    index = serializers.IntegerField(required=False)
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ErrorsDoc(serializers.Serializer):
    # DRF's metaclass moves a declared field out of the class, so this ``errors`` never hides
    # Serializer.errors at run time; the stubs see only the class body.
    errors = ErrorDoc(many=True)  # type: ignore[assignment]


class AuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = ["handle", "display_name", "followers", "is_troll"]


class CommentSerializer(serializers.ModelSerializer):
    author = AuthorSerializer()
    reasons = ReasonDoc(many=True)
    case_id = serializers.IntegerField(allow_null=True)
    status = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField(
        help_text="The comment's text; the personal data in it (phones, e-mails, ids, cards) "
        "masked unless the reader works the brand's cases."
    )
    customer_contact = serializers.SerializerMethodField(
        help_text="The personal data gathered from the case's customer, masked "
        "(privacy.mask_personal_data); empty for a comment without a case."
    )

    class Meta:
        model = Comment
        fields = [
            "id",
            "platform",
            "external_id",
            "text",
            "lang",
            "url",
            "in_reply_to",
            "account",
            "author",
            "posted_at",
            "received_at",
            "author_followers",
            "likes",
            "shares",
            "category",
            "level",
            "confidence",
            "reasons",
            "model_version",
            "uncertain",
            "classified_by_human",
            "case_id",
            "status",
            "customer_contact",
        ]

    def get_text(self, comment) -> str:
        request = self.context.get("request")
        if request is None:  # nobody to ask about: masked
            return mask_text(comment.text, comment.pii)
        return mask_comment_text(request.user, comment)

    def get_status(self, comment) -> str | None:
        return comment.case.status if comment.case_id else None

    def get_customer_contact(self, comment) -> dict[str, str]:
        if not comment.case_id:
            return {}
        return mask_personal_data(customer_personal_data(comment.author))


class ClassificationSerializer(serializers.ModelSerializer):
    decided_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    reasons = ReasonDoc(many=True)

    class Meta:
        model = Classification
        fields = [
            "category",
            "level",
            "confidence",
            "reasons",
            "model_version",
            "is_human",
            "decided_by",
            "note",
            "created_at",
        ]


class CommentDetailSerializer(CommentSerializer):
    classifications = ClassificationSerializer(many=True)

    class Meta(CommentSerializer.Meta):
        fields = [*CommentSerializer.Meta.fields, "classifications"]
