"""The supervisors' page of what did not leave the desk: mails and webhooks with errors.

Thin: the reads are ``outbound.mails.mails_with_errors`` and ``deliveries_with_errors``, scoped
to the brands where the person supervises.
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from brands.access import brand_ids_for_request
from outbound.delivery import deliveries_with_errors
from outbound.mails import mails_with_errors

#: Supervisors: the people who answer for a brand's cases getting through.
SEE = "cases.assign_case"
SHOWN = 200


@require_safe
@login_required
@permission_required(SEE, raise_exception=True)
def delivery_errors(request):
    brand_ids = brand_ids_for_request(request, SEE)
    return render(
        request,
        "outbound/errors.html",
        {
            "mails": mails_with_errors(brand_ids=brand_ids)[:SHOWN],
            "deliveries": deliveries_with_errors(brand_ids=brand_ids)[:SHOWN],
        },
    )
