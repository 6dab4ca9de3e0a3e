from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from brands.access import brand_ids_for_request
from cases.models import Case
from comments import selectors
from core.errors import DomainError
from core.pages import back_url, perform
from replies import closing, handoff
from replies import selectors as reply_selectors
from replies import workflow as replies
from replies.models import Reply, Visibility


def _reply_action(request, pk: int, act) -> HttpResponse:
    """Run one reply step; a refusal is shown to the person, never a server error."""
    try:
        reply = act()
    except DomainError as error:
        messages.warning(request, str(error))
        return redirect(back_url(request, reverse("queue")))
    except (Reply.DoesNotExist, Case.DoesNotExist):
        raise Http404 from None
    messages.success(
        request, _("Reply updated: %(status)s.") % {"status": reply.get_status_display()}
    )
    return redirect(back_url(request, reverse("case-detail", args=[reply.case_id])))


@login_required
@permission_required("cases.work_case", raise_exception=True)
@require_POST
def reply_save(request, pk: int):
    """Save a draft (new, or an edit of one) from the case page's composer."""
    reply_id = request.POST.get("reply", "")
    template_id = request.POST.get("template", "")
    faq_entry_id = request.POST.get("faq", "")
    return _reply_action(
        request,
        pk,
        lambda: replies.reply_draft(
            case_id=pk,
            actor=request.user,
            body=request.POST.get("body", ""),
            visibility=request.POST.get("visibility", Visibility.PUBLIC),
            template_id=int(template_id) if template_id.isdigit() else None,
            faq_entry_id=int(faq_entry_id) if faq_entry_id.isdigit() else None,
            reply_id=int(reply_id) if reply_id.isdigit() else None,
        ),
    )


@login_required
@permission_required("cases.work_case", raise_exception=True)
@require_POST
def reply_submit(request, pk: int):
    return _reply_action(
        request,
        pk,
        lambda: replies.reply_submit(
            reply_id=pk, actor=request.user, tone_reviewed=request.POST.get("tone_reviewed") == "1"
        ),
    )


@login_required
@permission_required("cases.work_case", raise_exception=True)
@require_POST
def reply_publish(request, pk: int):
    return _reply_action(
        request,
        pk,
        lambda: replies.reply_publish(
            reply_id=pk, actor=request.user, by_hand=request.POST.get("by_hand") == "1"
        ),
    )


@login_required
@permission_required("replies.approve_reply", raise_exception=True)
@require_POST
def reply_review(request, pk: int):
    return _reply_action(
        request,
        pk,
        lambda: replies.reply_review(
            reply_id=pk,
            actor=request.user,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
            body=request.POST.get("body"),
        ),
    )


@require_safe
@login_required
@permission_required("replies.approve_reply", raise_exception=True)
def approvals(request):
    """The supervisors' queue: replies waiting for approval, oldest first."""
    waiting = reply_selectors.replies_waiting(
        brand_ids_for_request(request, "replies.approve_reply")
    )
    return render(request, "replies/approvals.html", {"replies": waiting})


@login_required
@permission_required("cases.work_case", raise_exception=True)
@require_POST
def case_handoff(request, pk: int):
    selectors.access_case(pk, brand_ids_for_request(request, "cases.work_case"))
    template_id = request.POST.get("template", "")
    perform(
        request,
        lambda: handoff.private_handoff(
            case_id=pk,
            actor=request.user,
            channel=request.POST.get("channel", ""),
            template_id=int(template_id) if template_id.isdigit() else None,
        ),
        done=_(
            "Private channel recorded; the public reply is drafted from the template: make it "
            "this customer's and send it on."
        ),
    )
    return redirect("case-detail", pk=pk)


@login_required
@permission_required("cases.work_case", raise_exception=True)
@require_POST
def case_public_closing(request, pk: int):
    """Draft the public closing a person wrote from the suggestion, or skip it."""
    if request.POST.get("decision") == "skip":
        perform(
            request,
            lambda: closing.public_closing_skip(case_id=pk, actor=request.user),
            done=_("No public closing for this case."),
        )
        return redirect("case-detail", pk=pk)
    return _reply_action(
        request,
        pk,
        lambda: replies.reply_draft(
            case_id=pk,
            actor=request.user,
            body=request.POST.get("body", ""),
            closes_publicly=True,
        ),
    )
