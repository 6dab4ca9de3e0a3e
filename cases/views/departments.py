"""Department pages: the brand's list, routing a case, and the department's answer page.

Thin: the rules are in ``cases.departments``.
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from brands.access import brand_ids_for_request, in_brands
from brands.models import Brand
from cases import departments
from cases.models import Department, DepartmentRequest
from comments import selectors
from core.errors import DomainError
from core.links import LinkError
from core.pages import perform


@login_required
@permission_required(departments.MANAGE, raise_exception=True)
def department_list(request):
    brand_ids = brand_ids_for_request(request, departments.MANAGE)
    if request.method == "POST":
        brand_id = request.POST.get("brand", "")
        perform(
            request,
            lambda: departments.department_create(
                brand_id=int(brand_id) if brand_id.isdigit() else 0,
                actor=request.user,
                name=request.POST.get("name", ""),
                email=request.POST.get("email", ""),
            ),
            done=_("Department added."),
        )
        return redirect("departments")

    return render(
        request,
        "cases/departments.html",
        {
            "departments": in_brands(Department.objects.select_related("brand"), brand_ids),
            "brands": Brand.objects.filter(pk__in=sorted(brand_ids)).order_by("name"),
        },
    )


@login_required
@permission_required("cases.work_case", raise_exception=True)
@require_POST
def case_route(request, pk: int):
    """Send the case to a department with what was gathered from the customer."""
    selectors.access_case(pk, brand_ids_for_request(request, "cases.work_case"))
    department_id = request.POST.get("department", "")
    perform(
        request,
        lambda: departments.department_request(
            case_id=pk,
            actor=request.user,
            department_id=int(department_id) if department_id.isdigit() else 0,
            need=request.POST.get("need", ""),
            details=request.POST.get("details", ""),
        ),
        done=_("Sent to the department; the case waits for its answer."),
    )
    return redirect("case-detail", pk=pk)


@login_required
@permission_required("cases.work_case", raise_exception=True)
@require_POST
def request_answer(request, pk: int):
    """The person on the case records the answer a department gave them another way."""
    found = (
        in_brands(DepartmentRequest.objects, brand_ids_for_request(request, "cases.work_case"))
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    perform(
        request,
        lambda: departments.department_answer(
            request_id=pk, answer=request.POST.get("answer", ""), by=request.user
        ),
        done=_("The department's answer is recorded."),
    )
    return redirect("case-detail", pk=found.case_id)


@csrf_protect
def department_answer(request, token: str):
    """The department's page, reached from the link in its e-mail: no login. Opening it only
    reads; the link answers once, and a used one says so (409 when posted to again)."""
    try:
        found = departments.request_from_token(token)
    except LinkError as bad_link:
        return render(
            request,
            "cases/department_answer.html",
            {"link_error": bad_link.reason},
            status=410 if bad_link.expired else 400,
        )
    with translation.override(found.case.brand.language):
        error, status, used = "", 200, found.answered_at is not None
        if request.method == "POST":
            try:
                departments.department_answer(
                    request_id=found.pk, answer=request.POST.get("answer", "")[:5000]
                )
            except DomainError as refused:
                error = str(refused)
            except LinkError:
                status, used = 409, True
            found.refresh_from_db()
        return render(
            request,
            "cases/department_answer.html",
            {"request_": found, "error": error, "used": used},
            status=status,
        )
