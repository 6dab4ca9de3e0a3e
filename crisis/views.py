"""Crisis pages: thin, they read through ``crisis.selectors`` and act through the domain
modules. Who may enter is ``brands.access.crisis_brand_ids``' answer: people with no room
anywhere get 403; another brand's crisis is not found (404), never forbidden."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.timezone import make_aware
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from brands.access import crisis_brand_ids_for_request
from core.errors import DomainError
from crisis import (
    acknowledging,
    containment,
    links,
    postmortem,
    selectors,
    statements,
    transitions,
)
from crisis.models import Crisis, CrisisStatus, EventKind, PostMortem, Statement

ROOM_COMMENTS = 50


def room_access(view):
    """Login, then a room somewhere (403 otherwise); the view gets the brands it may read."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        brand_ids = crisis_brand_ids_for_request(request)
        if not brand_ids:
            raise PermissionDenied
        try:
            return view(request, brand_ids, *args, **kwargs)
        except (Crisis.DoesNotExist, Statement.DoesNotExist, PostMortem.DoesNotExist):
            raise Http404 from None

    return wrapped


@require_safe
@room_access
def crisis_list(request, brand_ids):
    return render(
        request,
        "crisis/list.html",
        {"crises": selectors.crises_by_urgency(brand_ids)[:200], "show_brand": len(brand_ids) > 1},
    )


def _room_context(request, crisis) -> dict:
    return {
        "crisis": crisis,
        "spread": selectors.spread(crisis),
        # Measured now, not the beat's last pass: a crisis a minute old has not been measured
        # yet, and must not read as over the threshold meanwhile.
        "rate_contained_at": containment.rate_contained_at(crisis=crisis),
        "poll_seconds": settings.SEMAFORO["QUEUE_POLL_S"],
    }


@require_safe
@room_access
def crisis_room(request, brand_ids, pk: int):
    crisis = selectors.access_crisis(pk, brand_ids)
    comments = (
        selectors.related_comments(crisis)
        .select_related("author")
        .order_by("-posted_at")[:ROOM_COMMENTS]
    )
    context = _room_context(request, crisis)
    context.update(
        {
            "comments": comments,
            "cases": selectors.related_cases(crisis)[:ROOM_COMMENTS],
            "events": crisis.events.select_related("actor"),
            "roster": selectors.committee_roster(crisis),
            "decisions": crisis.events.filter(kind=EventKind.DECISION).select_related("actor"),
            "statements": crisis.statements.select_related(
                "drafted_by", "approved_by", "published_by"
            ),
            "can_draft": crisis.is_open and statements.may_draft(request.user, crisis.brand_id),
            "can_approve": statements.may_approve(request.user, crisis.brand_id),
            "moves": [
                CrisisStatus(to)
                for to, sources in transitions.TRANSITIONS.items()
                if crisis.status in sources
            ],
            "my_notice": crisis.notifications.filter(user=request.user).first(),
        }
    )
    return render(request, "crisis/room.html", context)


@require_POST
@room_access
def crisis_acknowledge_here(request, brand_ids, pk: int):
    """The called member's "I'm on it" from the room itself, as from the mailed link."""
    crisis = selectors.access_crisis(pk, brand_ids)

    def acknowledge():
        acknowledging.crisis_acknowledge_notified(crisis=crisis, user=request.user)
        messages.success(request, _("Acknowledged: the committee knows you are on it."))

    return _act(request, pk, acknowledge)


@require_safe
@room_access
def crisis_spread(request, brand_ids, pk: int):
    """The spread panel alone, polled by htmx so the chart moves without a reload."""
    crisis = selectors.access_crisis(pk, brand_ids)
    return render(request, "crisis/_spread.html", _room_context(request, crisis))


def _act(request, pk: int, action) -> HttpResponse:
    try:
        action()
    except DomainError as error:
        messages.warning(request, str(error))
    return redirect("crisis-room", pk=pk)


@require_POST
@room_access
def crisis_move(request, brand_ids, pk: int):
    selectors.access_crisis(pk, brand_ids)
    return _act(
        request,
        pk,
        lambda: transitions.crisis_transition(
            crisis_id=pk,
            actor=request.user,
            to=request.POST.get("to", ""),
            note=request.POST.get("note", ""),
        ),
    )


@require_POST
@room_access
def crisis_decision(request, brand_ids, pk: int):
    selectors.access_crisis(pk, brand_ids)
    raw_at = request.POST.get("decided_at", "").strip()
    decided_at = parse_datetime(raw_at) if raw_at else None
    if decided_at is not None and decided_at.tzinfo is None:
        decided_at = make_aware(decided_at)
    return _act(
        request,
        pk,
        lambda: transitions.crisis_log_decision(
            crisis_id=pk,
            actor=request.user,
            decided_by=request.POST.get("decided_by", ""),
            decision=request.POST.get("decision", ""),
            decided_at=decided_at,
        ),
    )


@require_POST
@room_access
def statement_save(request, brand_ids, pk: int):
    selectors.access_crisis(pk, brand_ids)
    statement_id = request.POST.get("statement") or None
    return _act(
        request,
        pk,
        lambda: statements.statement_draft(
            crisis_id=pk,
            actor=request.user,
            body=request.POST.get("body", ""),
            statement_id=int(statement_id) if statement_id else None,
        ),
    )


@require_POST
@room_access
def statement_approve(request, brand_ids, pk: int):
    statement = Statement.objects.get(pk=pk, crisis__brand_id__in=sorted(brand_ids))
    return _act(
        request,
        statement.crisis_id,
        lambda: statements.statement_approve(
            statement_id=pk,
            actor=request.user,
            tone_reviewed=request.POST.get("tone_reviewed") == "1",
        ),
    )


@require_POST
@room_access
def statement_publish(request, brand_ids, pk: int):
    statement = Statement.objects.get(pk=pk, crisis__brand_id__in=sorted(brand_ids))
    return _act(
        request,
        statement.crisis_id,
        lambda: statements.statement_publish(
            statement_id=pk, actor=request.user, by_hand=request.POST.get("by_hand") == "1"
        ),
    )


@room_access
def crisis_postmortem(request, brand_ids, pk: int):
    crisis = selectors.access_crisis(pk, brand_ids)
    evaluation = PostMortem.objects.get(crisis=crisis)
    if request.method == "POST":
        try:
            postmortem.postmortem_write(
                crisis_id=pk,
                actor=request.user,
                what_failed=request.POST.get("what_failed", ""),
                what_to_improve=request.POST.get("what_to_improve", ""),
                reply_quality=request.POST.get("reply_quality", ""),
                refresh_facts=request.POST.get("refresh") == "1",
            )
        except DomainError as error:
            messages.warning(request, str(error))
        else:
            messages.success(request, _("Evaluation saved."))
        return redirect("crisis-postmortem", pk=pk)
    return render(
        request,
        "crisis/postmortem.html",
        {
            "crisis": crisis,
            "postmortem": evaluation,
            "facts": postmortem.fact_rows(evaluation.facts),
        },
    )


@require_safe
@room_access
def crisis_postmortem_export(request, brand_ids, pk: int):
    crisis = selectors.access_crisis(pk, brand_ids)
    evaluation = PostMortem.objects.select_related("crisis__brand").get(crisis=crisis)
    response = HttpResponse(
        postmortem.postmortem_markdown(evaluation), content_type="text/markdown; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="crisis-{crisis.pk}-evaluation.md"'
    return response


@login_required
def crisis_ack(request, token: str):
    """The member's personal link: GET asks to confirm (mail scanners follow links), POST
    acknowledges. Only the person it was sent to, logged in, can use it."""
    try:
        crisis = links.crisis_from_ack_token(token, user=request.user)
    except links.AckLinkError as error:
        return render(
            request,
            "crisis/ack.html",
            {"error": str(error)},
            status=403 if error.not_yours else 400,
        )
    if request.method == "POST":
        if acknowledging.crisis_acknowledge(crisis_id=crisis.pk, user=request.user):
            messages.success(request, _("Acknowledged: the committee knows you are on it."))
        return redirect("crisis-room", pk=crisis.pk)
    return render(request, "crisis/ack.html", {"crisis": crisis})


@csrf_exempt  # the signed token in the URL is the credential; no session, so nothing to forge
@require_POST
def crisis_chat_ack(request, token: str):
    """The button of the committee's chat message: a chat tool POSTs the member's personal
    URL. Answers JSON: 200 with the acknowledgement, 409 once it has been used, 400 for a
    tampered token, 410 for an expired one."""
    try:
        notice = acknowledging.crisis_acknowledge_by_chat(token=token)
    except links.AckLinkError as error:
        return JsonResponse(
            {"errors": [{"field": "token", "message": str(error)}]},
            status=409 if error.used else 410 if error.expired else 400,
        )
    return JsonResponse(acknowledging.acknowledgement(notice))
