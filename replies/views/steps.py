"""Ticking a case's protocol steps off: thin, the rules are in ``replies.steps``."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brands.access import brand_ids_for_request
from cases.workflow import WORK
from comments import selectors
from core.pages import perform
from replies import steps


@login_required
@permission_required(WORK, raise_exception=True)
@require_POST
def case_step(request, pk: int, step_id: int):
    """``done=1`` ticks the step off as done now by this person; ``done=0`` takes it back."""
    selectors.access_case(pk, brand_ids_for_request(request, WORK))
    undo = request.POST.get("done") == "0"
    action: Callable[..., object] = steps.case_step_undone if undo else steps.case_step_done
    perform(
        request,
        lambda: action(case_id=pk, actor=request.user, step_id=step_id),
        done=_("Step marked not done.") if undo else _("Step done."),
    )
    return redirect(reverse("case-detail", args=[pk]) + "#protocol")
