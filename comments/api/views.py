from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.response import Response

from accounts.models import ApiToken
from brands.access import brand_ids_for_request
from comments import intake, selectors
from comments.api.parsers import LimitedJSONParser
from comments.api.serializers import (
    CommentDetailSerializer,
    CommentItemDoc,
    CommentSerializer,
    ErrorsDoc,
    IngestResponseDoc,
)
from core.api.errors import PayloadTooLarge
from core.api.pagination import StrictCursorPagination
from core.api.permissions import has_perm

CanIngest = has_perm("comments.ingest_comment")
READ = "comments.view_comment"
CanRead = has_perm(READ)


class CommentCursor(StrictCursorPagination):
    ordering = ("-received_at", "-id")
    page_size = 50
    max_page_size = 500


class CommentListCreate(generics.ListAPIView):
    """Push comments (one or a list, idempotent) and list them with filters."""

    parser_classes = [LimitedJSONParser]
    serializer_class = CommentSerializer
    pagination_class = CommentCursor
    filterset_class = selectors.CommentFilter

    def get_permissions(self):
        return [CanIngest() if self.request.method == "POST" else CanRead()]

    def get_queryset(self):
        return selectors.comments_for_listing(brand_ids_for_request(self.request, READ))

    @extend_schema(
        request=CommentItemDoc(many=True),
        responses={
            201: IngestResponseDoc,
            200: IngestResponseDoc,
            **{code: OpenApiResponse(ErrorsDoc) for code in (400, 401, 403, 413, 429, 503)},
        },
        description="One item or a list of up to 1,000. `(platform, external_id)` is the "
        "idempotency key. 201 when anything was created, 200 when all existed.",
    )
    def post(self, request):
        token = request.auth
        if not isinstance(token, ApiToken):
            raise PermissionDenied("comments are pushed with a REST client's token")
        items = _as_list(request.data)
        results = intake.ingest(items, brand_id=token.brand_id)
        code = status.HTTP_201_CREATED if any(r.created for r in results) else status.HTTP_200_OK
        return Response({"results": [r.as_dict() for r in results]}, status=code)


def _as_list(data) -> list:
    items = [data] if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ParseError("the body must be a JSON object or a list of objects")
    if not items:
        raise ParseError("the list must contain at least one item")
    limit = settings.SEMAFORO["MAX_BATCH_ITEMS"]
    if len(items) > limit:
        raise PayloadTooLarge(f"at most {limit} items per request, got {len(items)}")
    return items


class CommentDetail(generics.RetrieveAPIView):
    """One comment with its classification history."""

    serializer_class = CommentDetailSerializer
    permission_classes = [CanRead]

    def get_object(self):
        comments = selectors.comments_for_listing(brand_ids_for_request(self.request, READ))
        return get_object_or_404(
            comments.prefetch_related("classifications__decided_by"), pk=self.kwargs["pk"]
        )
