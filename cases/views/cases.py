from functools import partial

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST, require_safe

from brands.access import brand_ids_for, brand_ids_for_request
from cases import customers, departments, followups, privacy, raising, workflow
from cases import selectors as case_selectors
from cases.models import CaseStatus, Department, PrivateChannel
from cases.workflow import WORK
from comments import selectors
from core.errors import DomainError
from core.links import LinkError
from core.pages import QUEUE_COUNT_CAP, QUEUE_PAGE_SIZE, CappedPaginator, perform
from core.taxonomy import Category, Level
from replies import closing, facts, faq, handoff, protocols, steps, templated
from replies import selectors as reply_selectors
from replies import workflow as replies


@require_safe
@login_required
@permission_required("comments.view_comment", raise_exception=True)
def case_detail(request, pk: int):
    case = selectors.access_case(pk, brand_ids_for_request(request, "comments.view_comment"))
    can_assign = case.brand_id in brand_ids_for(request.user, "cases.assign_case")
    protocol = steps.with_steps(
        protocols.protocol_for(brand=case.brand, category=case.category, level=case.level)
    )
    requests = list(departments.case_requests(case))
    now = timezone.now()
    return render(
        request,
        "cases/case.html",
        {
            "case": case,
            "others": selectors.others_affected(case),
            "protocol": protocol,
            # The brand's own language first: that is the template a person reaches for.
            "reply_templates": sorted(
                protocol.templates.all(), key=lambda t: (t.language != case.brand.language, t.name)
            ),
            "draft_text": _draft_text(request, case, protocol),
            **_suggestions_context(request, case, protocol),
            "needs_approval": replies.approval_required(case, protocol=protocol),
            "replies": case.replies.select_related(
                "author", "reviewed_by", "published_by"
            ).prefetch_related(reply_selectors.versions_prefetch()),
            "actions": workflow.allowed_actions(case),
            "outcomes": protocol.outcome_choices(),
            "intermediate_solutions": protocol.solution_names(),
            "steps": steps.case_steps(case, protocol=protocol),
            "department_requests": requests,
            "waiting_on": [
                departments.waiting_on(r, now=now) for r in requests if r.answered_at is None
            ],
            "may_note": case.brand_id in brand_ids_for(request.user, WORK),
            **_privacy_context(request, case, protocol),
            "departments": Department.objects.filter(brand_id=case.brand_id),
            "may_work": request.user.has_perm("cases.work_case")
            and (case.assignee_id == request.user.pk or can_assign),
            "assignees": case_selectors.case_assignees(case) if can_assign else [],
            "lowerable_to": _labels(raising.case_lowerable_to(case)),
            "public_closing": closing.closing_suggestion(case)
            if closing.closing_open(case)
            else "",
            "may_lower": case.brand_id in brand_ids_for(request.user, raising.LOWER_PERMISSION),
        },
    )


@login_required
@permission_required("cases.work_case", raise_exception=True)
@require_POST
def case_action(request, pk: int, action: str):
    """One button of the case page: a transition, or an assignment."""
    selectors.access_case(pk, brand_ids_for_request(request, "cases.work_case"))
    if action == "assign":
        move = partial(_assign, request, pk)
    elif action == "lower":
        move = partial(
            raising.case_lower, case_id=pk, actor=request.user, note=request.POST.get("note", "")
        )
    else:
        move = partial(
            workflow.case_move,
            case_id=pk,
            actor=request.user,
            action=action,
            note=request.POST.get("note", ""),
            outcome=request.POST.get("outcome", ""),
            intermediate_solution=request.POST.get("intermediate_solution", ""),
            satisfied=_yes_or_no(request),
        )
    perform(request, move, done=_("Case updated."))
    return redirect("case-detail", pk=pk)


def _labels(category_level: tuple[str, str] | None) -> dict | None:
    if category_level is None:
        return None
    category, level = category_level
    return {"category": Category(category).label, "level": Level(level).label}


def _yes_or_no(request) -> bool | None:
    return {"yes": True, "no": False}.get(request.POST.get("satisfied", ""))


def _assign(request, pk: int):
    return workflow.case_assign(case_id=pk, actor=request.user, assignee=_assignee(request))


def _assignee(request):
    username = request.POST.get("assignee") or request.user.get_username()
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise DomainError(_("No such person."))
    return user


@login_required
@permission_required("cases.work_case", raise_exception=True)
@require_POST
def case_take_next(request):
    case = workflow.case_take_next(
        actor=request.user, brand_ids=brand_ids_for_request(request, "cases.work_case")
    )
    if case is None:
        messages.info(request, _("No unassigned case is waiting. Well done."))
        return redirect("queue")
    return redirect("case-detail", pk=case.pk)


@login_required
@permission_required("cases.work_case", raise_exception=True)
@require_POST
def case_record_answer(request, pk: int):
    selectors.access_case(pk, brand_ids_for_request(request, "cases.work_case"))
    perform(
        request,
        lambda: workflow.case_record_answer(
            case_id=pk,
            actor=request.user,
            satisfied=_yes_or_no(request),
            note=request.POST.get("note", ""),
        ),
        done=_("The customer's answer is recorded."),
    )
    return redirect("case-detail", pk=pk)


@csrf_protect
def satisfaction(request, token: str):
    """The customer's page, reached from the link in a follow-up: no login, one question.
    Opening it only reads; the link answers once, and a used one says so (409 when posted to
    again)."""
    try:
        follow_up = followups.follow_up_from_token(token)
    except LinkError as error:
        status = 410 if error.expired else 400
        return render(
            request, "cases/satisfaction.html", {"link_error": error.reason}, status=status
        )
    brand = follow_up.case.brand
    with translation.override(brand.language):
        if follow_up.answered_at is None and not followups.follow_up_is_current(follow_up):
            return render(
                request,
                "cases/satisfaction.html",
                {"link_error": "superseded", "brand": brand},
                status=410,
            )
        used = follow_up.answered_at is not None
        if request.method == "POST":
            satisfied = {"yes": True, "no": False}.get(request.POST.get("satisfied", ""))
            if used or satisfied is not None:
                try:
                    followups.follow_up_answer(
                        follow_up_id=follow_up.pk,
                        satisfied=bool(satisfied),
                        answer=request.POST.get("comment", "")[:2000],
                    )
                except LinkError:
                    return render(
                        request,
                        "cases/satisfaction.html",
                        {"link_error": "used", "brand": brand, "follow_up": follow_up},
                        status=409,
                    )
                follow_up.refresh_from_db()
                return render(
                    request, "cases/satisfaction.html", {"follow_up": follow_up, "brand": brand}
                )
        if used:
            return render(
                request,
                "cases/satisfaction.html",
                {"link_error": "used", "brand": brand, "follow_up": follow_up},
            )
        return render(request, "cases/satisfaction.html", {"follow_up": follow_up, "brand": brand})


def _privacy_context(request, case, protocol) -> dict:
    """Full personal data for the brand's people who work cases; masked for anyone else who
    may read the case (the crisis committee, for one)."""
    full = privacy.may_see_personal_data(request.user, case)
    recorded = customers.customer_personal_data(case.author)
    data = recorded if full else privacy.mask_personal_data(recorded)
    return {
        "personal_full": full,
        "personal_recorded": bool(recorded),
        "personal_rows": [
            (field, label, data.get(field, "")) for field, label in privacy.PERSONAL_FIELDS.items()
        ],
        "handoff_templates": (
            handoff.handoff_templates(case, protocol=protocol) if case.is_open else []
        ),
        "private_channels": PrivateChannel.choices,
    }


def _draft_text(request, case, protocol) -> str:
    """The composer's starting text: the chosen template, FAQ answer or rebuttal with the
    case's details filled in."""
    chosen_faq, chosen_fact = _chosen(request, "faq"), _chosen(request, "fact")
    if chosen_faq is not None:
        entry = faq.suggested_entry(case, chosen_faq)
        return templated.faq_text(entry, case) if entry else ""
    if chosen_fact is not None:
        fact = facts.offered_fact(case, chosen_fact)
        return templated.rebuttal_text(fact, case) if fact else ""
    chosen = _chosen(request, "template")
    template = protocol.templates.filter(pk=chosen).first() if chosen is not None else None
    return templated.template_text(template, case) if template else ""


def _chosen(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _offered_first(offered, case) -> list:
    """The facts a claim can be marked with: the ones that match first, then the others."""
    first = [ranked.item for ranked in offered]
    rest = facts.valid_facts(case.brand_id).exclude(pk__in=[fact.pk for fact in first])[:50]
    return [*first, *rest]


def _suggestions_context(request, case, protocol) -> dict:
    """The reply box's FAQ suggestions and the refute step's facts, for open cases only."""
    false_claims = facts.case_false_claims(case)
    if not case.is_open:
        return {"refute_step": None, "false_claims": false_claims}
    query = request.GET.get("faq_q", "")[:300]
    chosen_faq = _chosen(request, "faq")
    refute_step = facts.refute_step(protocol)
    offered = facts.fact_suggestions(case) if refute_step is not None else []
    return {
        "faq_q": query,
        "faq_suggestions": faq.faq_suggestions(case, query=query),
        "faq_entry": faq.suggested_entry(case, chosen_faq) if chosen_faq is not None else None,
        "refute_step": refute_step,
        "facts_offered": offered,
        "facts_to_mark": _offered_first(offered, case) if refute_step is not None else [],
        "false_claims": false_claims,
    }


@require_safe
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
    page = CappedPaginator(cases, QUEUE_PAGE_SIZE, cap=QUEUE_COUNT_CAP).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cases/cases.html",
        {
            "page": page,
            "status": status,
            "mine": bool(request.GET.get("mine")),
            "statuses": [(selectors.STATUS_OPEN, _("Open (needs work)")), *CaseStatus.choices],
        },
    )
