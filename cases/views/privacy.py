"""The case page's private handoff and personal data forms, and the case list; thin."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brands.access import brand_ids_for_request
from cases import privacy
from comments import selectors
from core.pages import perform


@login_required
@permission_required("cases.work_case", raise_exception=True)
@require_POST
def case_personal_data(request, pk: int):
    selectors.access_case(pk, brand_ids_for_request(request, "cases.work_case"))
    perform(
        request,
        lambda: privacy.personal_data_record(
            case_id=pk,
            actor=request.user,
            data={field: request.POST.get(field, "") for field in privacy.PERSONAL_FIELDS},
        ),
        done=_("The customer's data is recorded."),
    )
    return redirect("case-detail", pk=pk)
