from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from brands.access import brand_ids_for, brand_ids_for_request
from brands.models import Membership
from comments import departments, followups, privacy, protocols, replies, selectors, workflow
from comments.forms import CorrectionForm
from comments.models import Case, Department, PrivateChannel, Reply, Visibility

QUEUE_PAGE_SIZE = 50
# Counting every open comment on each poll costs a scan of the whole open queue; past this many
# the page says "more than" and the filters narrow it, so a poll stays as cheap as one page.
QUEUE_COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """Counts at most ``cap + 1`` rows; ``is_capped`` says the count is only a floor."""

    def __init__(self, object_list, per_page, *, cap: int):
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    def page(self, number):
        # A full page even when the capped count ends inside it.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)


def _queue_context(request) -> dict:
    params = request.GET.copy()
    params.setdefault("status", selectors.STATUS_OPEN)
    brand_ids = brand_ids_for_request(request, "comments.view_queue")
    queue = selectors.queue_comments(brand_ids)
    filterset = selectors.CommentFilter(params, queryset=queue)
    comments = filterset.qs if filterset.is_valid() else queue.none()
    page = CappedPaginator(comments, QUEUE_PAGE_SIZE, cap=QUEUE_COUNT_CAP).get_page(
        request.GET.get("page")
    )
    return {
        "filter": filterset,
        "page": page,
        "query": params.urlencode(),
        "poll_seconds": settings.SEMAFORO["QUEUE_POLL_S"],
        "show_brand": len(brand_ids) > 1,
    }


@login_required
@permission_required("comments.view_queue", raise_exception=True)
def queue(request):
    brand_ids = brand_ids_for_request(request, "comments.work_case")
    on_duty = Membership.objects.filter(
        user=request.user, brand_id__in=sorted(brand_ids), on_duty=True
    ).exists()
    return render(request, "comments/queue.html", {**_queue_context(request), "on_duty": on_duty})


@login_required
@permission_required("comments.view_queue", raise_exception=True)
def queue_rows(request):
    """The queue's table body alone, polled by htmx so new comments appear without reload."""
    return render(request, "comments/_queue_rows.html", _queue_context(request))


@login_required
@permission_required("comments.view_queue", raise_exception=True)
def comment_detail(request, pk: int):
    comment = selectors.access_comment(pk, brand_ids_for_request(request, "comments.view_comment"))
    form = CorrectionForm(initial={"category": comment.category, "level": comment.level})
    return render(request, "comments/detail.html", {"comment": comment, "form": form})


@login_required
@permission_required("comments.correct_classification", raise_exception=True)
@require_POST
def comment_correct(request, pk: int):
    comment = selectors.access_comment(
        pk, brand_ids_for_request(request, "comments.correct_classification")
    )
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        return render(
            request, "comments/detail.html", {"comment": comment, "form": form}, status=400
        )
    try:
        workflow.classification_correct(comment_id=pk, user=request.user, **form.cleaned_data)
    except workflow.WorkflowError as error:
        messages.warning(request, str(error))
    else:
        messages.success(request, _("Classification corrected; it will train the next model."))
    return redirect("comment-detail", pk=pk)


@login_required
@permission_required("comments.view_comment", raise_exception=True)
def case_detail(request, pk: int):
    case = selectors.access_case(pk, brand_ids_for_request(request, "comments.view_comment"))
    can_assign = case.brand_id in brand_ids_for(request.user, "comments.assign_case")
    protocol = protocols.protocol_for(brand=case.brand, category=case.category, level=case.level)
    return render(
        request,
        "comments/case.html",
        {
            "case": case,
            "others": selectors.others_affected(case),
            "protocol": protocol,
            # The brand's own language first: that is the template a person reaches for.
            "reply_templates": sorted(
                protocol.templates.all(), key=lambda t: (t.language != case.brand.language, t.name)
            ),
            "draft_text": _draft_text(request, case, protocol),
            "needs_approval": replies.approval_required(case),
            "replies": case.replies.select_related("author", "reviewed_by", "published_by"),
            "actions": workflow.allowed_actions(case),
            "outcomes": protocol.outcome_choices(),
            "department_requests": departments.case_requests(case),
            **_privacy_context(request, case),
            "departments": Department.objects.filter(brand_id=case.brand_id),
            "may_work": request.user.has_perm("comments.work_case")
            and (case.assignee_id == request.user.pk or can_assign),
            "assignees": selectors.case_assignees(case) if can_assign else [],
        },
    )


@login_required
@permission_required("comments.work_case", raise_exception=True)
@require_POST
def case_action(request, pk: int, action: str):
    """One button of the case page: a transition, or an assignment."""
    selectors.access_case(pk, brand_ids_for_request(request, "comments.work_case"))
    try:
        if action == "assign":
            assignee = _assignee(request)
            workflow.case_assign(case_id=pk, actor=request.user, assignee=assignee)
        else:
            workflow.case_move(
                case_id=pk,
                actor=request.user,
                action=action,
                note=request.POST.get("note", ""),
                outcome=request.POST.get("outcome", ""),
                satisfied={"yes": True, "no": False}.get(request.POST.get("satisfied", "")),
            )
    except workflow.WorkflowError as error:
        messages.warning(request, str(error))
    else:
        messages.success(request, _("Case updated."))
    return redirect("case-detail", pk=pk)


def _assignee(request):
    from django.contrib.auth import get_user_model

    username = request.POST.get("assignee") or request.user.get_username()
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise workflow.WorkflowError(_("No such person."))
    return user


@login_required
@permission_required("comments.work_case", raise_exception=True)
@require_POST
def case_take_next(request):
    case = workflow.case_take_next(
        actor=request.user, brand_ids=brand_ids_for_request(request, "comments.work_case")
    )
    if case is None:
        messages.info(request, _("No unassigned case is waiting. Well done."))
        return redirect("queue")
    return redirect("case-detail", pk=case.pk)


@login_required
@permission_required("comments.work_case", raise_exception=True)
@require_POST
def case_record_answer(request, pk: int):
    selectors.access_case(pk, brand_ids_for_request(request, "comments.work_case"))
    satisfied = {"yes": True, "no": False}.get(request.POST.get("satisfied", ""))
    try:
        if satisfied is None:
            raise workflow.WorkflowError(_("Record whether the customer is satisfied."))
        workflow.case_record_answer(
            case_id=pk, actor=request.user, satisfied=satisfied, note=request.POST.get("note", "")
        )
    except workflow.WorkflowError as error:
        messages.warning(request, str(error))
    else:
        messages.success(request, _("The customer's answer is recorded."))
    return redirect("case-detail", pk=pk)


@csrf_protect
def satisfaction(request, token: str):
    """The customer's page, reached from the link in a follow-up: no login, one question."""
    try:
        follow_up = followups.follow_up_from_token(token)
    except followups.LinkError as error:
        status = 410 if error.expired else 400
        return render(
            request,
            "comments/satisfaction.html",
            {"link_error": "expired" if error.expired else "invalid"},
            status=status,
        )
    brand = follow_up.case.brand
    with translation.override(brand.language):
        if request.method == "POST" and follow_up.answered_at is None:
            satisfied = {"yes": True, "no": False}.get(request.POST.get("satisfied", ""))
            if satisfied is not None:
                followups.follow_up_answer(
                    follow_up_id=follow_up.pk,
                    satisfied=satisfied,
                    answer=request.POST.get("comment", "")[:2000],
                )
                follow_up.refresh_from_db()
        return render(
            request, "comments/satisfaction.html", {"follow_up": follow_up, "brand": brand}
        )


@login_required
@permission_required("comments.view_queue", raise_exception=True)
def monitor(request):
    """The monitor list: known trolls' comments, watched but not fed."""
    comments = selectors.monitored_comments(brand_ids_for_request(request, "comments.view_queue"))
    page = CappedPaginator(comments, QUEUE_PAGE_SIZE, cap=QUEUE_COUNT_CAP).get_page(
        request.GET.get("page")
    )
    return render(request, "comments/monitor.html", {"page": page})


@login_required
@permission_required("comments.flag_troll", raise_exception=True)
@require_POST
def author_troll(request, pk: int, comment_pk: int):
    """Flag or unflag the author of the comment the supervisor is reading."""
    comment = selectors.access_comment(
        comment_pk, brand_ids_for_request(request, "comments.flag_troll")
    )
    if comment.author_id != pk:
        raise Http404
    try:
        workflow.author_flag_troll(
            author_id=pk,
            actor=request.user,
            is_troll=request.POST.get("is_troll") == "1",
            note=request.POST.get("note", ""),
        )
    except workflow.WorkflowError as error:
        messages.warning(request, str(error))
    else:
        messages.success(request, _("Author updated."))
    return redirect("comment-detail", pk=comment_pk)


def _privacy_context(request, case) -> dict:
    """Full personal data for the brand's people who work cases; masked for anyone else who
    may read the case (the crisis committee, for one)."""
    full = privacy.may_see_personal_data(request.user, case)
    data = case.personal_data if full else privacy.mask_personal_data(case.personal_data)
    return {
        "personal_full": full,
        "personal_rows": [
            (field, label, data.get(field, "")) for field, label in privacy.PERSONAL_FIELDS.items()
        ],
        "handoff_templates": privacy.handoff_templates(case) if case.is_open else [],
        "private_channels": PrivateChannel.choices,
    }


def _draft_text(request, case, protocol) -> str:
    """The composer's starting text: the chosen template with the case's details filled in."""
    chosen = request.GET.get("template", "")
    template = protocol.templates.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    return replies.template_text(template, case) if template else ""


def _reply_action(request, pk: int, act) -> HttpResponse:
    """Run one reply step; a refusal is shown to the person, never a server error."""
    try:
        reply = act()
    except workflow.WorkflowError as error:
        messages.warning(request, str(error))
        return redirect(_back(request, reverse("queue")))
    except (Reply.DoesNotExist, Case.DoesNotExist):
        raise Http404 from None
    messages.success(
        request, _("Reply updated: %(status)s.") % {"status": reply.get_status_display()}
    )
    return redirect(_back(request, reverse("case-detail", args=[reply.case_id])))


def _back(request, default: str) -> str:
    """The page the form came from, when it is one of ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@permission_required("comments.work_case", raise_exception=True)
@require_POST
def reply_save(request, pk: int):
    """Save a draft (new, or an edit of one) from the case page's composer."""
    reply_id = request.POST.get("reply", "")
    template_id = request.POST.get("template", "")
    return _reply_action(
        request,
        pk,
        lambda: replies.reply_draft(
            case_id=pk,
            actor=request.user,
            body=request.POST.get("body", ""),
            visibility=request.POST.get("visibility", Visibility.PUBLIC),
            template_id=int(template_id) if template_id.isdigit() else None,
            reply_id=int(reply_id) if reply_id.isdigit() else None,
        ),
    )


@login_required
@permission_required("comments.work_case", raise_exception=True)
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
@permission_required("comments.work_case", raise_exception=True)
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
@permission_required("comments.approve_reply", raise_exception=True)
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


@login_required
@permission_required("comments.approve_reply", raise_exception=True)
def approvals(request):
    """The supervisors' queue: replies waiting for approval, oldest first."""
    waiting = selectors.replies_waiting(brand_ids_for_request(request, "comments.approve_reply"))
    return render(request, "comments/approvals.html", {"replies": waiting})
