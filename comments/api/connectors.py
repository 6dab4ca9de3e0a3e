"""The connectors' endpoints: Meta's webhook, YouTube and TikTok pages, engagement updates.

Each translates: read the body, call the connector or domain function, answer its result.
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken
from brands.models import Brand
from comments import engagement, intake
from comments.api.connector_docs import (
    METRICS_BATCH_SCHEMA,
    METRICS_SCHEMA,
    EngagementResponseDoc,
    EngagementResultDoc,
    MetaHubDoc,
    TikTokCommentListDoc,
    YouTubeCommentThreadsDoc,
)
from comments.api.parsers import LimitedJSONParser
from comments.api.serializers import ErrorsDoc, IngestResponseDoc
from comments.api.views import CanIngest
from comments.connectors import inbox, meta, tiktok, youtube
from comments.connectors.shapes import Mapped
from comments.models import WebhookDelivery
from comments.validation import IngestValidationError
from core.api.errors import PayloadTooLarge, errors_response
from core.platforms import Platform

_ERRORS = {code: OpenApiResponse(ErrorsDoc) for code in (400, 401, 403, 413, 429, 503)}


def _pushing_token(request) -> ApiToken:
    token = request.auth
    if not isinstance(token, ApiToken):
        raise PermissionDenied("comments are pushed with a REST client's token")
    return token


class _PlatformPage(APIView):
    """A platform's API answer, forwarded unchanged, through intake."""

    parser_classes = [LimitedJSONParser]
    permission_classes = [CanIngest]

    def map(self, payload) -> Mapped:
        raise NotImplementedError

    def post(self, request):
        token = _pushing_token(request)
        mapped = self.map(request.data)
        limit = settings.SEMAFORO["MAX_BATCH_ITEMS"]
        if len(mapped.items) > limit:
            raise PayloadTooLarge(f"at most {limit} comments per request, got {len(mapped.items)}")
        if not mapped.items:
            return Response({"results": []}, status=status.HTTP_200_OK)
        try:
            results = intake.ingest(mapped.items, brand_id=token.brand_id)
        except IngestValidationError as error:
            raise mapped.named_in_payload(error) from None
        code = status.HTTP_201_CREATED if any(r.created for r in results) else status.HTTP_200_OK
        return Response({"results": [r.as_dict() for r in results]}, status=code)


class YouTubeCommentThreads(_PlatformPage):
    @extend_schema(
        operation_id="connectors_youtube_comment_threads_create",
        request=YouTubeCommentThreadsDoc,
        responses={201: IngestResponseDoc, 200: IngestResponseDoc, **_ERRORS},
        description="A YouTube Data API `commentThreads.list` answer, unchanged: each top-level "
        "comment and reply becomes a comment (idempotent on the comment's id). Errors name the "
        "field by its path in the page, e.g. `items[0].snippet.topLevelComment.snippet."
        "textOriginal`.",
    )
    def post(self, request):
        return super().post(request)

    def map(self, payload) -> Mapped:
        return youtube.comment_threads_items(payload)


class TikTokComments(_PlatformPage):
    @extend_schema(
        operation_id="connectors_tiktok_comments_create",
        request=TikTokCommentListDoc,
        responses={201: IngestResponseDoc, 200: IngestResponseDoc, **_ERRORS},
        description="A TikTok comment list answer (`data.comments[]`), unchanged. Errors name "
        "the field by its path, e.g. `data.comments[3].text`.",
    )
    def post(self, request):
        return super().post(request)

    def map(self, payload) -> Mapped:
        return tiktok.comment_list_items(payload)


def _token_brand(request) -> Brand:
    token = _pushing_token(request)
    if token.brand_id is None:
        raise PermissionDenied("engagement is reported with a brand's token, not a relay's")
    return Brand.objects.get(pk=token.brand_id)


class _RawBodySchema(AutoSchema):
    """drf-spectacular marks a body given as a raw JSON Schema optional; these need theirs."""

    def _get_request_for_media_type(self, serializer, direction="request"):
        schema, required = super()._get_request_for_media_type(serializer, direction)
        return schema, required or isinstance(serializer, dict)


class CommentMetrics(APIView):
    parser_classes = [LimitedJSONParser]
    permission_classes = [CanIngest]
    schema = _RawBodySchema()

    @extend_schema(
        operation_id="comment_metrics_update",
        parameters=[
            OpenApiParameter("platform", str, OpenApiParameter.PATH, enum=sorted(Platform.values)),
            OpenApiParameter("external_id", str, OpenApiParameter.PATH),
        ],
        request={"application/json": METRICS_SCHEMA},
        responses={200: EngagementResultDoc, 404: OpenApiResponse(ErrorsDoc), **_ERRORS},
        description="Report a comment's grown counts without its text. Counts only grow: a "
        "lower count sent late changes nothing. The comment is classified again, its case "
        "follows, and one that crosses a reach threshold turns red and escalates.",
    )
    def patch(self, request, platform: str, external_id: str):
        brand = _token_brand(request)
        updates = engagement.updates_validate(request.data, key=(platform, external_id))
        [result] = engagement.engagement_report(brand=brand, updates=updates)
        if not result.found:
            raise Http404
        return Response(result.as_dict())


class CommentMetricsBatch(APIView):
    parser_classes = [LimitedJSONParser]
    permission_classes = [CanIngest]
    schema = _RawBodySchema()

    @extend_schema(
        request={"application/json": METRICS_BATCH_SCHEMA},
        responses={200: EngagementResponseDoc, **_ERRORS},
        operation_id="comments_metrics_update",
        description="Many comments' counts at once, each keyed by `platform` and `external_id`. "
        "A comment the brand does not have is answered `found: false`; the others are applied.",
    )
    def patch(self, request):
        brand = _token_brand(request)
        if not isinstance(request.data, list) or not request.data:
            raise ParseError("the body must be a non-empty JSON list of keyed counts")
        limit = settings.SEMAFORO["MAX_BATCH_ITEMS"]
        if len(request.data) > limit:
            raise PayloadTooLarge(f"at most {limit} items per request, got {len(request.data)}")
        updates = engagement.updates_validate(request.data)
        results = engagement.engagement_report(brand=brand, updates=updates)
        return Response({"results": [r.as_dict() for r in results]})

    @extend_schema(
        request={"application/json": METRICS_BATCH_SCHEMA},
        responses={200: EngagementResponseDoc, **_ERRORS},
        operation_id="comments_metrics_create",
        description="The same as `PATCH`, for clients that can only POST.",
    )
    def post(self, request):
        return self.patch(request)


class MetaWebhook(APIView):
    """Meta's webhook for Facebook Page and Instagram comments. Meta signs; no token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    # Meta retries in bursts from many addresses; a signature is the gate, not a rate.
    throttle_classes: list = []

    @extend_schema(
        operation_id="webhooks_meta_verify",
        parameters=[
            OpenApiParameter("hub.mode", str, enum=["subscribe"]),
            OpenApiParameter("hub.verify_token", str),
            OpenApiParameter("hub.challenge", str),
        ],
        responses={
            (200, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="The challenge."),
            403: OpenApiResponse(ErrorsDoc),
        },
        description="Meta's verification handshake: with `hub.mode=subscribe` and the "
        "configured `META_VERIFY_TOKEN`, answers `hub.challenge` as plain text; else 403.",
    )
    def get(self, request):
        challenge = meta.verification_challenge(
            request.query_params, verify_token=settings.META_VERIFY_TOKEN
        )
        if challenge is None:
            return errors_response(
                [{"field": "hub.verify_token", "message": "verification refused"}],
                status.HTTP_403_FORBIDDEN,
            )
        return HttpResponse(challenge, content_type="text/plain; charset=utf-8")

    @extend_schema(
        operation_id="webhooks_meta_receive",
        request=MetaHubDoc,
        parameters=[
            OpenApiParameter(
                meta.SIGNATURE_HEADER,
                str,
                OpenApiParameter.HEADER,
                description="`sha256=` + hex HMAC-SHA256 of the raw body with META_APP_SECRET.",
            )
        ],
        responses={
            200: OpenApiResponse(description="Stored; processed shortly after."),
            403: OpenApiResponse(ErrorsDoc),
        },
        description="A Meta delivery. Without a valid `X-Hub-Signature-256`: 403 and nothing "
        "is stored. A verified delivery is stored and acknowledged at once; a worker turns "
        "its comment changes into comments through the same intake.",
    )
    def post(self, request):
        body = request.body
        header = request.headers.get(meta.SIGNATURE_HEADER)
        if not meta.signature_valid(body, header, secret=settings.META_APP_SECRET):
            return errors_response(
                [{"field": meta.SIGNATURE_HEADER, "message": "missing or invalid signature"}],
                status.HTTP_403_FORBIDDEN,
            )
        inbox.delivery_receive(source=WebhookDelivery.Source.META, body=body)
        return HttpResponse(status=status.HTTP_200_OK)
