"""The overview's and the top complaints' figures as JSON for BI tools: the same filters and
numbers as the pages.

Who may read: a person (or their own token) holding ``reports.view_reports`` in some brand
(supervisors, the crisis committee), over those brands, narrowed to the one they chose. A REST
client's token reads no report; nobody without a report anywhere gets past 403.
"""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.access import brand_ids_for_request
from comments.api.serializers import ErrorsDoc
from core.platforms import Platform
from core.taxonomy import Category
from reports import complaints, figures
from reports.api.serializers import OverviewSerializer, TopComplaintsSerializer
from reports.forms import TopComplaintFilters
from reports.views import VIEW, filters_for

_FILTERS = [
    OpenApiParameter(
        "since", OpenApiTypes.DATE, description="First day (YYYY-MM-DD), in the brands' zone."
    ),
    OpenApiParameter("until", OpenApiTypes.DATE, description="Last day, included; default today."),
    OpenApiParameter("bucket", str, enum=["hour", "day", "week"], description="Default day."),
    OpenApiParameter("platform", str, enum=Platform.values, description="Only this platform."),
    OpenApiParameter("category", str, enum=Category.values, description="Only this category."),
    OpenApiParameter("level", str, enum=["red", "yellow", "green"], description="Only this."),
]


_ERRORS = {code: OpenApiResponse(ErrorsDoc) for code in (400, 401, 403, 429)}


def _valid(form):
    if not form.is_valid():
        raise ValidationError(
            {name: [str(error) for error in errors] for name, errors in form.errors.items()}
        )
    return form


class ReportAccess(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and brand_ids_for_request(request, VIEW))


class Overview(APIView):
    permission_classes = [ReportAccess]

    @extend_schema(
        parameters=_FILTERS,
        responses={200: OverviewSerializer, **_ERRORS},
    )
    def get(self, request):
        """The overview of a period: volume by level and category per bucket, open cases by
        age, first-response and resolution times with deadline compliance, follow-up answers,
        and cases per person."""
        form, brands = filters_for(request, VIEW)
        scope = _valid(form).scope(frozenset(brand.pk for brand in brands))
        data = figures.overview(scope, now=timezone.now())
        return Response(OverviewSerializer(data).data)


class TopComplaints(APIView):
    permission_classes = [ReportAccess]

    @extend_schema(
        parameters=[
            *(p for p in _FILTERS if p.name not in {"bucket", "category"}),
            OpenApiParameter(
                "category", str, enum=["pqr", "insult", "high_level"], description="Only this."
            ),
            OpenApiParameter(
                "limit",
                int,
                description=f"Subjects listed, 1 to {complaints.MAX_LIMIT}; "
                f"default {complaints.DEFAULT_LIMIT}.",
            ),
        ],
        responses={200: TopComplaintsSerializer, **_ERRORS},
    )
    def get(self, request):
        """The period's most frequent complaint subjects (negative comments grouped as the
        ripple detector groups them), each with its comments and distinct authors, its trend
        against the previous period of as many days, the rising flag, the ripples about it,
        its cases resolved and satisfied, and its latest examples; then the subjects rising
        below the top ones."""
        form, brands = filters_for(request, VIEW, TopComplaintFilters)
        scope = _valid(form).scope(frozenset(brand.pk for brand in brands))
        data = complaints.top_complaints(
            scope, now=timezone.now(), limit=form.cleaned_data["limit"]
        )
        return Response(TopComplaintsSerializer(data, context={"request": request}).data)
