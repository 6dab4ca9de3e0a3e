"""The customer page: one person's handles, their personal data, and every comment, case and
note over time; linking and unlinking handles, and notes on a case. Thin: the rules are in
``cases.customers``, ``cases.notes`` and ``cases.privacy``."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from brands.access import brand_ids_for, brand_ids_for_request
from cases import customers, notes, privacy
from cases.workflow import WORK
from comments import selectors
from core.errors import DomainError
from core.pages import back_url, perform
from core.platforms import Platform

TIMELINE_PAGE_SIZE = 25


@require_safe
@login_required
@permission_required("comments.view_comment", raise_exception=True)
def customer_detail(request, author_id: int):
    brand_ids = brand_ids_for_request(request, "comments.view_comment")
    author = selectors.access_author(author_id, brand_ids)
    handles = customers.customer_handles(author)
    author_ids = [handle.pk for handle in handles]
    page = Paginator(
        selectors.customer_timeline(author_ids, brand_ids), TIMELINE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    full = privacy.may_see_personal_data(request.user, author)
    data = customers.customer_personal_data(author)
    shown = data if full else privacy.mask_personal_data(data)
    return render(
        request,
        "cases/customer.html",
        {
            "author": author,
            "handles": handles,
            "page": page,
            "entries": selectors.timeline_entries(page.object_list),
            "personal_full": full,
            "personal_rows": [
                (label, shown[field])
                for field, label in privacy.PERSONAL_FIELDS.items()
                if shown.get(field)
            ],
            "history": selectors.customer_history(author_ids),
            "may_link": author.brand_id in brand_ids_for(request.user, WORK),
            "platforms": Platform.choices,
        },
    )


@login_required
@permission_required("cases.work_case", raise_exception=True)
@require_POST
def customer_link(request, author_id: int):
    author = selectors.access_author(author_id, brand_ids_for_request(request, WORK))

    def link():
        other = selectors.author_by_handle(
            author.brand_id, request.POST.get("platform", ""), request.POST.get("handle", "")
        )
        if other is None:
            raise DomainError(_("No customer of this brand has that handle on that platform."))
        customers.customer_link(actor=request.user, author=author, other=other)

    perform(request, link, done=_("Linked: both handles are now the same customer."))
    return redirect("customer", author_id=author.pk)


@login_required
@permission_required("cases.work_case", raise_exception=True)
@require_POST
def customer_unlink(request, author_id: int, other_id: int):
    brand_ids = brand_ids_for_request(request, WORK)
    author = selectors.access_author(author_id, brand_ids)
    other = selectors.access_author(other_id, brand_ids)
    perform(
        request,
        lambda: customers.customer_unlink(actor=request.user, author=author, other=other),
        done=_("Unlinked: that handle is a customer of its own again."),
    )
    return redirect("customer", author_id=author.pk)


@login_required
@permission_required("cases.work_case", raise_exception=True)
@require_POST
def case_note(request, pk: int):
    selectors.access_case(pk, brand_ids_for_request(request, WORK))
    perform(
        request,
        lambda: notes.case_note_add(
            case_id=pk, actor=request.user, text=request.POST.get("text", "")
        ),
        done=_("Note added."),
    )
    return redirect(back_url(request, reverse("case-detail", args=[pk]) + "#notes"))
