"""Output serializers, and the documented shape of a pushed item (validation is in
``comments.validation``: it must run a thousand items in milliseconds)."""

from typing import TYPE_CHECKING

from rest_framework import serializers

from cases.privacy import mask_personal_data
from comments.models import Author, Classification, Comment
from core.platforms import Platform

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class CommentItemDoc(serializers.Serializer):
    platform = serializers.ChoiceField(choices=Platform.choices)
    external_id = serializers.CharField(max_length=255)
    text = serializers.CharField(max_length=10_000)
    author_handle = serializers.CharField(max_length=255)
    author_display_name = serializers.CharField(required=False)
    author_followers = serializers.IntegerField(min_value=0, required=False, default=0)
    likes = serializers.IntegerField(min_value=0, required=False, default=0)
    shares = serializers.IntegerField(min_value=0, required=False, default=0)
    posted_at = serializers.DateTimeField(required=False)
    url = serializers.URLField(required=False)
    lang = serializers.CharField(required=False)
    in_reply_to = serializers.CharField(required=False)
    account = serializers.CharField(required=False)


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
    customer_contact = serializers.SerializerMethodField(
        help_text="The personal data gathered on the case, masked (privacy.mask_personal_data)."
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

    def get_status(self, comment) -> str | None:
        return comment.case.status if comment.case_id else None

    def get_customer_contact(self, comment) -> dict[str, str]:
        return mask_personal_data(comment.case.personal_data) if comment.case_id else {}


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
