"""The overview, top-complaints and audit pages and the CSV exports: read the filters, call the
figures or the export, render; the top complaints' name and merge forms call
``reports.complaints``. Who sees which brand is ``brands.access``' answer, as everywhere."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from brands.access import brand_ids_for_request, in_brands
from brands.models import Brand
from core.pages import QUEUE_COUNT_CAP, QUEUE_PAGE_SIZE, CappedPaginator, back_url, perform
from core.taxonomy import Category, Level
from crisis.models import CrisisStatus, Severity
from replies.models import owner_in_words
from reports import auditlog, complaints, exports, figures
from reports.forms import (
    AuditFilters,
    ReportFilters,
    SubjectMergeForm,
    SubjectNameForm,
    SubjectSplitForm,
    TopComplaintFilters,
)
from reports.models import ExportKind
from reports.periods import zone_of

VIEW = "reports.view_reports"
EXPORT = "reports.export_reports"
AUDIT = "reports.view_audit"
NAME = complaints.NAME


def filters_for(
    request, perm: str, form_class: type[ReportFilters] = ReportFilters
) -> tuple[ReportFilters, list[Brand]]:
    """The request's filters, read in the zone of the brands it may see for ``perm``."""
    brands = list(Brand.objects.filter(pk__in=sorted(brand_ids_for_request(request, perm))))
    zone = zone_of({brand.time_zone for brand in brands})
    return form_class(request.GET, zone=zone, now=timezone.now()), brands


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
        "corrected": _("Corrected by a person (%)"),
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
            "query": urlencode(form.as_query()) if data is not None else "",
            "may_export": request.user.has_perm(EXPORT),
            "levels": figures.LEVELS,
            "categories": list(Category),
            **(_in_words(data) if data is not None else {}),
        },
    )


def _in_words(data: dict) -> dict:
    """The tables' rows whose values are codes, with the words a person reads."""
    return {
        "steps": _steps_with_kinds(data["steps"]),
        "step_owners": [
            {**row, "owner": owner_in_words(row["owner"])} for row in data["step_owners"]
        ],
        "crises": _crises_in_words(data["crises"]["crises"]),
        "corrections": [
            {**row, "category": Category(row["category"]).label}
            for row in data["corrections"]["categories"]
        ],
    }


def _crises_in_words(crises: list[dict]) -> list[dict]:
    return [
        {
            **crisis,
            "severity": Severity(crisis["severity"]).label,
            "status": CrisisStatus(crisis["status"]).label,
        }
        for crisis in crises
    ]


def _steps_with_kinds(steps: list[dict]) -> list[dict]:
    """The step figures with their kind of case and owner in words, for the table."""
    return [
        {
            **step,
            "kind": f"{Category(step['category']).label} · {Level(step['level']).label}",
            "owner": owner_in_words(step["owner"]),
        }
        for step in steps
    ]


@login_required
@require_GET
def export(request, kind: str):
    """The audit log's export is the audit page's, for who reads it; the others the overview's."""
    perm, form_class = (
        (AUDIT, AuditFilters) if kind == ExportKind.AUDIT else (EXPORT, ReportFilters)
    )
    if not request.user.has_perm(perm):
        raise PermissionDenied
    form, brands = filters_for(request, perm, form_class)
    if not form.is_valid():
        errors = "; ".join(
            f"{field}: {' '.join(str(m) for m in messages)}"
            for field, messages in form.errors.items()
        )
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    brand_ids = frozenset(b.pk for b in brands)
    scope = form.audit_scope(brand_ids) if isinstance(form, AuditFilters) else form.scope(brand_ids)
    chunks = exports.export_start(
        kind=ExportKind(kind), scope=scope, actor=request.user, filters=form.as_query()
    )
    name = f"semaforo-{kind}-{scope.period.first_day}-{scope.period.last_day}.csv"
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@permission_required(AUDIT, raise_exception=True)
@require_GET
def audit_log(request):
    """Who did what in the person's brands, newest first, a page at a time."""
    form, brands = filters_for(request, AUDIT, AuditFilters)
    assert isinstance(form, AuditFilters)
    page, query = None, ""
    if form.is_valid():
        events = auditlog.audit_events(form.audit_scope(frozenset(b.pk for b in brands)))
        page = CappedPaginator(
            events.select_related("brand"), QUEUE_PAGE_SIZE, cap=QUEUE_COUNT_CAP
        ).get_page(request.GET.get("page"))
        query = urlencode(form.as_query())
    return render(
        request,
        "reports/audit.html",
        {
            "form": form,
            "brands": brands,
            "page": page,
            "query": query,
            "several_brands": len(brands) > 1,
        },
    )


# --- the top complaints -----------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def top_complaints(request):
    form, brands = filters_for(request, VIEW, TopComplaintFilters)
    data = None
    if form.is_valid():
        data = complaints.top_complaints(
            form.scope(frozenset(b.pk for b in brands)),
            now=timezone.now(),
            limit=form.cleaned_data["limit"],
        )
    naming = complaints.naming_brand_ids(request.user) & {b.pk for b in brands}
    return render(
        request,
        "reports/top_complaints.html",
        {
            "form": form,
            "brands": brands,
            "top": data,
            "naming": naming,
            "several_brands": len(brands) > 1,
            "here": request.get_full_path(),
        },
    )


def _naming(request, form_class, act: Callable[[dict, Brand], object], *, done: str):
    """A name, merge or split form: its brand must be one whose subjects the person names (any
    other is not found), then the rule decides; back to the page it came from."""
    back = back_url(request, reverse("reports-top-complaints"))
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.warning(request, error)
        return redirect(back)
    data = form.cleaned_data
    brand_id = data["brand"] if "brand" in data else data["pick"][0][0]
    brand = get_object_or_404(
        in_brands(Brand.objects, complaints.naming_brand_ids(request.user), field="pk"),
        pk=brand_id,
    )
    perform(request, lambda: act(data, brand), done=done)
    return redirect(back)


@login_required
@permission_required(NAME, raise_exception=True)
@require_POST
def subject_name(request):
    return _naming(
        request,
        SubjectNameForm,
        lambda data, brand: complaints.subject_name(
            actor=request.user, brand_id=brand.pk, key=data["key"], name=data["name"]
        ),
        done=_("The subject's name is saved; it holds for later periods too."),
    )


@login_required
@permission_required(NAME, raise_exception=True)
@require_POST
def subjects_merge(request):
    return _naming(
        request,
        SubjectMergeForm,
        lambda data, brand: complaints.subjects_merge(
            actor=request.user,
            brand_id=brand.pk,
            keys=[key for _, key in data["pick"]],
            name=data["name"],
        ),
        done=_("The subjects are merged into one."),
    )


@login_required
@permission_required(NAME, raise_exception=True)
@require_POST
def subject_split(request):
    return _naming(
        request,
        SubjectSplitForm,
        lambda data, brand: complaints.subject_split(
            actor=request.user, brand_id=brand.pk, key=data["key"]
        ),
        done=_("The subject counts on its own again."),
    )
