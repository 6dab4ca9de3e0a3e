from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from brands import team, watchlists
from brands.access import SESSION_KEY, brand_ids_for_request, brands_of, in_brands
from brands.forms import MEMBER_ROLE_CHOICES, MemberAddForm
from brands.models import Brand, Membership
from classifier.watchlists import KINDS
from core.errors import DomainError

ROLE_LABELS = dict(MEMBER_ROLE_CHOICES)


@login_required
@require_POST
def brand_switch(request):
    """Work on one brand, or on all of one's brands together (an empty choice)."""
    chosen = request.POST.get("brand", "")
    if chosen.isdigit() and brands_of(request.user).filter(pk=int(chosen)).exists():
        request.session[SESSION_KEY] = int(chosen)
    else:
        request.session.pop(SESSION_KEY, None)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "queue"
    return redirect(target)


@require_safe
@login_required
@permission_required(team.MANAGE_TEAM, raise_exception=True)
def team_page(request):
    """The team of the brand chosen in the header; with several brands and none chosen, the
    supervisor picks one first, so a change never lands on a brand they did not mean."""
    brand = _managed_brand(request)
    if brand is None:
        return _choose_brand(request, then="team")
    return _team_render(request, brand, MemberAddForm())


def _managed_brand(request) -> Brand | None:
    """The one brand chosen in the header among those the person manages; None when they
    manage several and chose none, so a change never lands on a brand they did not mean."""
    brand_ids = brand_ids_for_request(request, team.MANAGE_TEAM)
    if len(brand_ids) != 1:
        return None
    return team.access_managed_brand(actor=request.user, brand_id=next(iter(brand_ids)))


def _choose_brand(request, *, then: str):
    brands = in_brands(Brand.objects, brand_ids_for_request(request, team.MANAGE_TEAM), field="pk")
    return render(request, "brands/team_choose.html", {"brands": brands, "next": then})


@login_required
@permission_required(team.MANAGE_TEAM, raise_exception=True)
@require_POST
def team_member_add(request):
    brand = team.access_managed_brand(actor=request.user, brand_id=_posted_id(request, "brand"))
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            membership = team.member_add(actor=request.user, brand=brand, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request,
                _("%(username)s now works for %(brand)s as %(role)s.")
                % {
                    "username": membership.user.get_username(),
                    "brand": brand,
                    "role": ROLE_LABELS[membership.role],
                },
            )
            return redirect("team")
    return _team_render(request, brand, form, status=400)


@login_required
@permission_required(team.MANAGE_TEAM, raise_exception=True)
@require_POST
def team_member_role(request, pk: int):
    try:
        membership = team.member_change_role(
            actor=request.user, membership_id=pk, role=request.POST.get("role", "")
        )
    except DomainError as error:
        messages.warning(request, error.message)
        return redirect("team")
    messages.success(
        request,
        _("%(username)s is now %(role)s at %(brand)s.")
        % {
            "username": membership.user.get_username(),
            "brand": membership.brand,
            "role": ROLE_LABELS[membership.role],
        },
    )
    return _after_change(request, membership)


@login_required
@permission_required(team.MANAGE_TEAM, raise_exception=True)
@require_POST
def team_member_remove(request, pk: int):
    try:
        membership = team.member_remove(actor=request.user, membership_id=pk)
    except DomainError as error:
        messages.warning(request, error.message)
        return redirect("team")
    messages.success(
        request,
        _("%(username)s no longer works for %(brand)s.")
        % {"username": membership.user.get_username(), "brand": membership.brand},
    )
    return _after_change(request, membership, removed=True)


def _after_change(request, membership, *, removed: bool = False):
    """Back to the team, unless the supervisor just gave up managing it themselves."""
    gave_up = removed or not team.role_manages_team(membership.role)
    if membership.user_id == request.user.pk and gave_up:
        return redirect("queue")
    return redirect("team")


def _posted_id(request, name: str) -> int:
    value = request.POST.get(name, "")
    if not value.isdigit():
        raise Http404
    return int(value)


def _team_render(request, brand: Brand, form: MemberAddForm, *, status: int = 200):
    context = {
        "brand": brand,
        "members": team.team_members(brand),
        "form": form,
        "role_choices": MEMBER_ROLE_CHOICES,
    }
    return render(request, "brands/team.html", context, status=status)


@login_required
@require_POST
def duty_set(request):
    """A community manager starts or ends their shift in the brands they are working on: only
    people on duty receive cases assigned by rules."""
    on_duty = request.POST.get("on_duty") == "1"
    brand_ids = brand_ids_for_request(request, "cases.work_case")
    Membership.objects.filter(user=request.user, brand_id__in=sorted(brand_ids)).update(
        on_duty=on_duty
    )
    messages.success(
        request,
        _("You are on duty: new cases can be assigned to you.")
        if on_duty
        else _("You are off duty: no new case will be assigned to you."),
    )
    return redirect("queue")


@login_required
@permission_required(team.MANAGE_TEAM, raise_exception=True)
def watchlist_page(request):
    """The brand's watched handles, edited as text: one handle and its kind per line."""
    brand = _managed_brand(request)
    if brand is None:
        return _choose_brand(request, then="watchlist")
    text, error, status = watchlists.watchlist_text(brand), "", 200
    if request.method == "POST":
        text = request.POST.get("watchlist", "")[:30_000]
        try:
            watchlists.watchlist_save(brand_id=brand.pk, text=text)
        except DomainError as refused:
            error, status = refused.message, 400
        else:
            messages.success(request, _("Watched handles saved."))
            return redirect("watchlist")
    return render(
        request,
        "brands/watchlist.html",
        {"brand": brand, "text": text, "error": error, "kinds": KINDS},
        status=status,
    )
