"""The overview page and the CSV exports: read the filters, call the figures or the export,
render. Who sees which brand is ``brands.access``' answer, as everywhere."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from brands.access import brand_ids_for_request
from brands.models import Brand
from core.taxonomy import Category
from reports import exports, figures
from reports.forms import ReportFilters
from reports.models import ExportKind
from reports.periods import zone_of

VIEW = "reports.view_reports"
EXPORT = "reports.export_reports"


def filters_for(request, perm: str) -> tuple[ReportFilters, list[Brand]]:
    """The request's filters, read in the zone of the brands it may see for ``perm``."""
    brands = list(Brand.objects.filter(pk__in=sorted(brand_ids_for_request(request, perm))))
    zone = zone_of({brand.time_zone for brand in brands})
    return ReportFilters(request.GET, zone=zone, now=timezone.now()), brands


def _labels() -> dict:
    """What the charts call things, in the person's language."""
    return {
        "levels": {level.value: str(level.label) for level in figures.LEVELS},
        "categories": {category.value: str(category.label) for category in Category},
        "comments": _("Comments"),
        "response": _("First response (minutes)"),
        "resolution": _("Resolution (minutes)"),
        "cases": _("Open cases"),
        "satisfied": _("Satisfied"),
        "unsatisfied": _("Not satisfied"),
        "unanswered": _("No answer"),
    }


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def overview(request):
    form, brands = filters_for(request, VIEW)
    data = None
    if form.is_valid():
        data = figures.overview(form.scope(frozenset(b.pk for b in brands)), now=timezone.now())
    return render(
        request,
        "reports/overview.html",
        {
            "form": form,
            "brands": brands,
            "overview": data,
            "chart_data": {"overview": data, "labels": _labels()},
            "query": form.as_query() if data is not None else {},
            "may_export": request.user.has_perm(EXPORT),
            "levels": figures.LEVELS,
            "categories": list(Category),
        },
    )


@login_required
@permission_required(EXPORT, raise_exception=True)
@require_GET
def export(request, kind: str):
    form, brands = filters_for(request, EXPORT)
    if not form.is_valid():
        errors = "; ".join(
            f"{field}: {' '.join(str(m) for m in messages)}"
            for field, messages in form.errors.items()
        )
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    scope = form.scope(frozenset(b.pk for b in brands))
    chunks = exports.export_start(
        kind=ExportKind(kind), scope=scope, actor=request.user, filters=form.as_query()
    )
    name = f"semaforo-{kind}-{scope.period.first_day}-{scope.period.last_day}.csv"
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
