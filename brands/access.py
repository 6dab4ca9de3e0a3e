"""Which brands a person or a REST client may see: the one place brand isolation is decided.

Every page and endpoint reads through ``brand_ids_for_request`` (or ``brand_ids_for``) and
filters by its answer, so an id of another brand is simply not found (404), never forbidden:
nobody learns that it exists.
"""

from typing import TypeVar

from django.db.models import Manager, Model, QuerySet

from brands.models import Brand, Membership
from brands.roles import Role, roles_granting

SESSION_KEY = "brand_id"

M = TypeVar("M", bound=Model)


def brand_roles(user) -> dict[int, str]:
    """``{brand_id: role}`` of a person, read once per request."""
    cached = user.__dict__.get("_brand_roles_cache")
    if cached is None:
        cached = dict(Membership.objects.filter(user=user).values_list("brand_id", "role"))
        user.__dict__["_brand_roles_cache"] = cached
    return cached


def brand_ids_for(user, perm: str) -> frozenset[int]:
    """The brands in which ``user`` may do ``perm``; a superuser reaches every brand."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(Brand.objects.values_list("pk", flat=True))
    granting = roles_granting(perm)
    return frozenset(brand for brand, role in brand_roles(user).items() if role in granting)


def brand_ids_for_request(request, perm: str) -> frozenset[int]:
    """What this request may see: a REST client its token's brand; a person's token that brand
    while they hold a role there that may; a person their brands, narrowed to the one chosen in
    the header when they chose one."""
    token = getattr(request, "auth", None)
    if token is not None and hasattr(token, "brand_id"):
        if not request.user.has_perm(perm) or token.brand_id is None:
            return frozenset()
        if brand_roles(request.user) and token.brand_id not in brand_ids_for(request.user, perm):
            # A person's token reads only where they still hold a role that may: it never
            # outlives their membership of the brand, nor a change to a role that may not.
            return frozenset()
        return frozenset({token.brand_id})
    allowed = brand_ids_for(request.user, perm)
    chosen = current_brand_id(request)
    return frozenset({chosen}) if chosen in allowed else allowed


def current_brand_id(request) -> int | None:
    session = getattr(request, "session", None)
    return session.get(SESSION_KEY) if session is not None else None


def in_brands(
    queryset: QuerySet[M] | Manager[M], brand_ids: frozenset[int], *, field: str = "brand"
) -> QuerySet[M]:
    """The rows of ``queryset`` (or of a manager's whole table) that belong to those brands."""
    return queryset.filter(**{f"{field}__in": sorted(brand_ids)})


def brands_of(user) -> QuerySet[Brand]:
    """The brands a person works for (every brand for a superuser), for the header switcher."""
    if user.is_superuser:
        return Brand.objects.all()
    return Brand.objects.filter(pk__in=list(brand_roles(user)))


def role_emails(brand_id: int, role: str) -> list[str]:
    """E-mail addresses of the active people holding ``role`` at a brand, for notifications."""
    from django.contrib.auth import get_user_model

    return sorted(
        get_user_model()
        .objects.filter(
            memberships__brand_id=brand_id,
            memberships__role=role,
            is_active=True,
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def supervisor_emails(brand_id: int) -> list[str]:
    return role_emails(brand_id, Role.SUPERVISOR)


def crisis_brand_ids(user, perm: str = "crisis.view_crisis") -> frozenset[int]:
    """Where a person may enter the crisis room (or act in it): the brands where their role
    grants ``perm`` (committee, supervisors), plus those where they hold a committee seat
    whatever their role (a community manager named to the committee)."""
    allowed = brand_ids_for(user, perm)
    if not user.is_authenticated or not user.is_active:
        return allowed
    seated = Membership.objects.filter(user=user, committee__isnull=False).values_list(
        "brand_id", flat=True
    )
    return allowed | frozenset(seated)


def crisis_brand_ids_for_request(request, perm: str = "crisis.view_crisis") -> frozenset[int]:
    """The crisis rooms this request may enter. A token acts as its user narrowed to its brand,
    as in ``brand_ids_for_request``: a REST client's user holds no crisis permission, so its
    token reads no crisis; a relay token (no brand) reads nothing."""
    token = getattr(request, "auth", None)
    if token is not None and hasattr(token, "brand_id"):
        if token.brand_id is None:
            return frozenset()
        return crisis_brand_ids(request.user, perm) & frozenset({token.brand_id})
    allowed = crisis_brand_ids(request.user, perm)
    chosen = current_brand_id(request)
    return frozenset({chosen}) if chosen in allowed else allowed
