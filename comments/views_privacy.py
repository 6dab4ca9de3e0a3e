"""The case page's private handoff and personal data forms, and the case list; thin."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brands.access import brand_ids_for_request
from comments import privacy, selectors
from comments.models import Case, CaseStatus
from comments.workflow import WorkflowError


@login_required
@permission_required("comments.work_case", raise_exception=True)
@require_POST
def case_personal_data(request, pk: int):
    selectors.access_case(pk, brand_ids_for_request(request, "comments.work_case"))
    try:
        privacy.personal_data_record(
            case_id=pk,
            actor=request.user,
            data={field: request.POST.get(field, "") for field in privacy.PERSONAL_FIELDS},
        )
    except WorkflowError as error:
        messages.warning(request, str(error))
    else:
        messages.success(request, _("The customer's data is recorded."))
    return redirect("case-detail", pk=pk)


@login_required
@permission_required("comments.work_case", raise_exception=True)
@require_POST
def case_handoff(request, pk: int):
    selectors.access_case(pk, brand_ids_for_request(request, "comments.work_case"))
    template_id = request.POST.get("template", "")
    try:
        privacy.private_handoff(
            case_id=pk,
            actor=request.user,
            channel=request.POST.get("channel", ""),
            template_id=int(template_id) if template_id.isdigit() else None,
        )
    except WorkflowError as error:
        messages.warning(request, str(error))
    except Case.DoesNotExist:
        raise Http404 from None
    else:
        messages.success(
            request,
            _("Private channel recorded; the public reply is drafted: reread it and send it on."),
        )
    return redirect("case-detail", pk=pk)


@login_required
@permission_required("comments.view_comment", raise_exception=True)
def case_list(request):
    """The brand's cases, open first; the customer's data masked (``privacy``)."""
    status = request.GET.get("status", selectors.STATUS_OPEN)
    cases = selectors.cases_for_listing(
        brand_ids_for_request(request, "comments.view_comment"),
        status=status,
        assignee=request.user if request.GET.get("mine") else None,
    )
    from comments.views import QUEUE_COUNT_CAP, QUEUE_PAGE_SIZE, CappedPaginator

    page = CappedPaginator(cases, QUEUE_PAGE_SIZE, cap=QUEUE_COUNT_CAP).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "comments/cases.html",
        {
            "page": page,
            "status": status,
            "mine": bool(request.GET.get("mine")),
            "statuses": [(selectors.STATUS_OPEN, _("Open (needs work)")), *CaseStatus.choices],
        },
    )
