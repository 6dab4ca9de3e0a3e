from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from brands.access import brand_ids_for_request
from brands.models import Membership
from comments import answering, corrections, selectors
from comments.forms import CorrectionForm
from core.pages import QUEUE_COUNT_CAP, QUEUE_PAGE_SIZE, CappedPaginator, perform


def _queue_context(request) -> dict:
    params = request.GET.copy()
    params.setdefault("status", selectors.STATUS_OPEN)
    brand_ids = brand_ids_for_request(request, "comments.view_queue")
    queue = selectors.queue_comments(brand_ids)
    filterset = selectors.CommentFilter(params, queryset=queue, request=request)
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


@require_safe
@login_required
@permission_required("comments.view_queue", raise_exception=True)
def queue(request):
    brand_ids = brand_ids_for_request(request, "cases.work_case")
    on_duty = Membership.objects.filter(
        user=request.user, brand_id__in=sorted(brand_ids), on_duty=True
    ).exists()
    return render(request, "comments/queue.html", {**_queue_context(request), "on_duty": on_duty})


@require_safe
@login_required
@permission_required("comments.view_queue", raise_exception=True)
def queue_rows(request):
    """The queue's table body alone, polled by htmx so new comments appear without reload."""
    return render(request, "comments/_queue_rows.html", _queue_context(request))


@require_safe
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
    perform(
        request,
        lambda: corrections.classification_correct(
            comment_id=pk, user=request.user, **form.cleaned_data
        ),
        done=_("Classification corrected; it will train the next model."),
    )
    return redirect("comment-detail", pk=pk)


@require_safe
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
    perform(
        request,
        lambda: corrections.author_flag_troll(
            author_id=pk,
            actor=request.user,
            is_troll=request.POST.get("is_troll") == "1",
            note=request.POST.get("note", ""),
        ),
        done=_("Author updated."),
    )
    return redirect("comment-detail", pk=comment_pk)


@login_required
@permission_required("cases.work_case", raise_exception=True)
@require_POST
def comment_answer(request, pk: int):
    """Answer a comment that has no case (praise, thanks): its light case opens, and the reply
    box with the brand's templates is on the case page."""
    opened = []
    done = perform(
        request,
        lambda: opened.append(answering.comment_answer_open(comment_id=pk, actor=request.user)),
        done=_("Write the answer below; it goes through approval when the policy says so."),
    )
    if done:
        return redirect("case-detail", pk=opened[0].pk)
    return redirect("comment-detail", pk=pk)
