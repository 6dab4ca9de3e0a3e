"""Output shapes of the crisis API (read-only: crises change through the room and the worker)."""

from typing import TYPE_CHECKING

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crisis.links import room_url
from crisis.models import Crisis, CrisisEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from brands.models import Brand


class CrisisSerializer(serializers.ModelSerializer):
    brand: "serializers.SlugRelatedField[Brand]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    owner: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    acknowledged_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    escalations = serializers.IntegerField(
        source="escalations_count", help_text="Red comments escalated into it."
    )
    room = serializers.SerializerMethodField(help_text="The crisis room in the desk.")

    class Meta:
        model = Crisis
        fields = [
            "id",
            "brand",
            "subject",
            "subject_key",
            "severity",
            "status",
            "owner",
            "contact_level",
            "escalations",
            "first_comment_at",
            "opened_at",
            "notified_at",
            "acknowledged_at",
            "acknowledged_by",
            "responding_at",
            "contained_at",
            "rate_contained_at",
            "closed_at",
            "last_escalation_at",
            "room",
        ]

    def get_room(self, crisis) -> str:
        return room_url(crisis)


class CountsSerializer(serializers.Serializer):
    comments = serializers.IntegerField(
        help_text="Related comments (escalated reds and, for a "
        "ripple's crisis, every member of the ripple)."
    )
    authors = serializers.IntegerField(help_text="Their distinct authors.")
    reach = serializers.IntegerField(help_text="Their authors' followers, summed.")
    platforms = serializers.ListField(child=serializers.CharField())


class EventSerializer(serializers.ModelSerializer):
    actor: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = CrisisEvent
        fields = ["at", "kind", "actor", "text", "data"]


class CrisisDetailSerializer(CrisisSerializer):
    counts = serializers.SerializerMethodField()
    timeline = EventSerializer(source="events", many=True)

    class Meta(CrisisSerializer.Meta):
        fields = [*CrisisSerializer.Meta.fields, "counts", "timeline"]

    @extend_schema_field(CountsSerializer)
    def get_counts(self, crisis) -> dict:
        return self.context["counts"]


class AcknowledgementSerializer(serializers.Serializer):
    """The same document the chat button answers."""

    crisis = serializers.IntegerField()
    member = serializers.CharField()
    acknowledged_at = serializers.DateTimeField(help_text="When this member acknowledged.")
    crisis_acknowledged_by = serializers.CharField(
        allow_null=True, help_text="Who acknowledged first."
    )
    owner = serializers.CharField(allow_null=True)
    room = serializers.CharField()
