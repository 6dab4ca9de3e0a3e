from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brands.access import brand_ids_for, brand_ids_for_request
from comments import selectors, workflow
from comments.forms import CorrectionForm
from comments.models import Outcome

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
        return self.object_list[:self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    def page(self, number):
        # A full page even when the capped count ends inside it.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom:bottom + self.per_page], number, self)


def _queue_context(request) -> dict:
    params = request.GET.copy()
    params.setdefault("status", selectors.STATUS_OPEN)
    brand_ids = brand_ids_for_request(request, "comments.view_queue")
    queue = selectors.queue_comments(brand_ids)
    filterset = selectors.CommentFilter(params, queryset=queue)
    comments = filterset.qs if filterset.is_valid() else queue.none()
    page = CappedPaginator(comments, QUEUE_PAGE_SIZE, cap=QUEUE_COUNT_CAP).get_page(
        request.GET.get("page"))
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
    return render(request, "comments/queue.html", _queue_context(request))


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
        return render(request, "comments/detail.html", {"comment": comment, "form": form},
                      status=400)
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
    return render(request, "comments/case.html", {
        "case": case,
        "now": timezone.now(),
        "actions": workflow.allowed_actions(case),
        "outcomes": Outcome.choices,
        "may_work": request.user.has_perm("comments.work_case")
        and (case.assignee_id == request.user.pk or can_assign),
        "assignees": selectors.case_assignees(case) if can_assign else [],
    })


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
                case_id=pk, actor=request.user, action=action,
                note=request.POST.get("note", ""), outcome=request.POST.get("outcome", ""),
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
        actor=request.user, brand_ids=brand_ids_for_request(request, "comments.work_case"))
    if case is None:
        messages.info(request, _("No unassigned case is waiting. Well done."))
        return redirect("queue")
    return redirect("case-detail", pk=case.pk)
