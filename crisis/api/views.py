"""The crisis API: read a brand's crises, and acknowledge one as a committee member.

Who may read is ``brands.access.crisis_brand_ids_for_request``' answer, as for the crisis
room: the crisis committee, supervisors and anyone seated on the committee, in their brands.
A REST client's token reads no crisis (its user holds no crisis permission); a person's own
token reaches only its brand. Nobody with no room anywhere gets past 403; another brand's
crisis is not found (404).
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.access import crisis_brand_ids_for_request
from comments.api.serializers import ErrorsDoc
from core.api.errors import errors_response
from core.api.pagination import StrictCursorPagination
from core.errors import DomainError
from crisis import acknowledging, selectors
from crisis.access import MANAGE
from crisis.api.serializers import (
    AcknowledgementSerializer,
    CrisisDetailSerializer,
    CrisisSerializer,
)

READ = "crisis.view_crisis"


class CrisisRoomAccess(BasePermission):
    """A person (or their own token) with a crisis room in some brand: the view's ``perm``."""

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user and user.is_authenticated and crisis_brand_ids_for_request(request, view.perm)
        )


class CrisisCursor(StrictCursorPagination):
    ordering = ("-opened_at", "-id")
    page_size = 50
    max_page_size = 200


def _crises(request, perm: str):
    return selectors.crises_for(crisis_brand_ids_for_request(request, perm))


_ERRORS = {code: OpenApiResponse(ErrorsDoc) for code in (400, 401, 403, 404, 429)}


@extend_schema(responses={200: CrisisSerializer(many=True), **_ERRORS})
class CrisisList(generics.ListAPIView):
    """A brand's crises, newest first; filters `status` and `since` (opened at or after)."""

    perm = READ
    permission_classes = [CrisisRoomAccess]
    serializer_class = CrisisSerializer
    pagination_class = CrisisCursor
    filterset_class = selectors.CrisisFilter

    def get_queryset(self):
        return _crises(self.request, self.perm)


@extend_schema(responses={200: CrisisDetailSerializer, **_ERRORS})
class CrisisDetail(generics.RetrieveAPIView):
    """One crisis: its times, its counts and its timeline."""

    perm = READ
    permission_classes = [CrisisRoomAccess]
    serializer_class = CrisisDetailSerializer

    def get_object(self):
        crisis = get_object_or_404(_crises(self.request, self.perm), pk=self.kwargs["pk"])
        self.counts = selectors.totals(crisis)
        return crisis

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "counts": getattr(self, "counts", None)}


class CrisisAcknowledge(APIView):
    """A committee member who was called says "I'm on it", by session or their own token."""

    perm = MANAGE
    permission_classes = [CrisisRoomAccess]

    @extend_schema(
        request=None,
        responses={
            200: AcknowledgementSerializer,
            409: OpenApiResponse(ErrorsDoc, description="Not called for this crisis."),
            **_ERRORS,
        },
        description="Idempotent: acknowledging again changes nothing and answers the same.",
    )
    def post(self, request, pk: int):
        crisis = get_object_or_404(_crises(request, self.perm), pk=pk)
        try:
            notice = acknowledging.crisis_acknowledge_notified(crisis=crisis, user=request.user)
        except DomainError as error:
            return errors_response(
                [{"field": None, "message": str(error)}], status.HTTP_409_CONFLICT
            )
        return Response(acknowledging.acknowledgement(notice))
