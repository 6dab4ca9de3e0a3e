"""Who works for a brand, changed by that brand's own supervisors.

A supervisor manages the people of the brands where they hold ``brands.manage_team`` and of no
other: every lookup is scoped through ``brands.access``, so a membership of another brand is not
found (404), exactly like a comment of another brand. Every change leaves an ``AuditEvent``.

Changes to one brand's team are serialised by locking the brand's row, so two supervisors who
demote each other at the same moment cannot leave the brand without one.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from brands.access import brand_ids_for, in_brands
from brands.models import MEMBER_ROLES, Brand, Membership
from brands.roles import ROLE_PERMISSIONS, Role
from cases.models import AuditEvent
from core.errors import DomainError

MANAGE_TEAM = "brands.manage_team"


# --- Reads ------------------------------------------------------------------------------------


def managed_brand_ids(actor) -> frozenset[int]:
    return brand_ids_for(actor, MANAGE_TEAM)


def access_managed_brand(*, actor, brand_id: int) -> Brand:
    """A brand whose team ``actor`` manages; Http404 for any other, so ids reveal nothing."""
    return get_object_or_404(
        in_brands(Brand.objects, managed_brand_ids(actor), field="pk"), pk=brand_id
    )


def team_members(brand: Brand) -> QuerySet[Membership]:
    return brand.memberships.select_related("user").order_by("user__username")


def role_manages_team(role: str) -> bool:
    return MANAGE_TEAM in ROLE_PERMISSIONS[Role(role)]


# --- Writes -----------------------------------------------------------------------------------


@transaction.atomic
def member_add(
    *,
    actor,
    brand: Brand,
    username: str,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
) -> Membership:
    """``username`` joins ``brand`` in ``role``.

    A username the desk does not know becomes a new account with ``password``; an existing
    account only gains the membership, its password and details untouched, because they belong
    to the person (and maybe to their other brands), not to this supervisor.
    """
    brand = _lock_managed_brand(actor=actor, brand_id=brand.pk)
    role = _member_role(role)
    username = get_user_model().normalize_username(username.strip())
    user = get_user_model().objects.filter(username=username).first()
    created = user is None
    if user is None:
        user = _user_create(
            username=username,
            email=email,
            first_name=first_name,
            last_name=last_name,
            password=password,
        )
    else:
        _check_can_join(user, brand)
    membership = Membership.objects.create(user=user, brand=brand, role=role)
    membership.user = user
    _audit(actor, "member_added", before={}, after={**_snapshot(membership), "new_user": created})
    return membership


@transaction.atomic
def member_change_role(*, actor, membership_id: int, role: str) -> Membership:
    """A member of a brand the actor manages takes another role there."""
    membership = _lock_membership(actor=actor, membership_id=membership_id)
    role = _member_role(role)
    if membership.role == role:
        return membership
    if (
        role_manages_team(membership.role)
        and not role_manages_team(role)
        and not _another_manages(membership)
    ):
        raise DomainError(
            _(
                "You cannot demote the last supervisor of %(brand)s: make someone "
                "else supervisor first."
            )
            % {"brand": membership.brand}
        )
    before = _snapshot(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    _audit(actor, "member_role_changed", before=before, after=_snapshot(membership))
    return membership


@transaction.atomic
def member_remove(*, actor, membership_id: int) -> Membership:
    """The person stops working for the brand; their account stays, with its history and
    their other brands."""
    membership = _lock_membership(actor=actor, membership_id=membership_id)
    if role_manages_team(membership.role) and not _another_manages(membership):
        raise DomainError(
            _(
                "You cannot remove the last supervisor of %(brand)s: make someone "
                "else supervisor first."
            )
            % {"brand": membership.brand}
        )
    before = _snapshot(membership)
    membership.delete()
    _audit(actor, "member_removed", before=before, after={})
    return membership


# --- Rules ------------------------------------------------------------------------------------


def _lock_managed_brand(*, actor, brand_id: int) -> Brand:
    """Lock the brand's row, then ask whether ``actor`` manages it.

    The question is asked after the lock and of a freshly loaded actor, so a supervisor demoted
    a moment ago by another request cannot act on a role they no longer hold.
    """
    brand = Brand.objects.select_for_update().filter(pk=brand_id).first()
    actor_pk = getattr(actor, "pk", None)  # None for an anonymous actor: nobody manages then
    actor_now = None if actor_pk is None else get_user_model().objects.filter(pk=actor_pk).first()
    if brand is None or actor_now is None or brand.pk not in managed_brand_ids(actor_now):
        raise DomainError(_("You do not manage the team of this brand."))
    return brand


def _lock_membership(*, actor, membership_id: int) -> Membership:
    """A membership in a brand ``actor`` manages, read again under the brand's lock.

    Http404 for a membership of any other brand: the id is not found, not forbidden.
    """
    memberships = in_brands(Membership.objects, managed_brand_ids(actor))
    brand_id = get_object_or_404(memberships, pk=membership_id).brand_id
    brand = _lock_managed_brand(actor=actor, brand_id=brand_id)
    membership = get_object_or_404(memberships.select_related("user"), pk=membership_id)
    membership.brand = brand
    return membership


def _another_manages(membership: Membership) -> bool:
    """Whether someone besides this member can still manage the brand's team (call under the
    brand's lock, or two demotions could each count the other)."""
    others = (
        Membership.objects.filter(brand_id=membership.brand_id)
        .exclude(pk=membership.pk)
        .values_list("role", flat=True)
    )
    return any(role_manages_team(role) for role in others)


def _member_role(role: str) -> str:
    if role not in {r.value for r in MEMBER_ROLES}:
        raise DomainError(_("Choose a role of the brand."), field="role")
    return role


def _check_can_join(user, brand: Brand) -> None:
    if user.groups.filter(name=Role.API_CLIENT.value).exists():
        raise DomainError(
            _("%(username)s is a REST client, not a person.") % {"username": user.get_username()},
            field="username",
        )
    if Membership.objects.filter(user=user, brand=brand).exists():
        raise DomainError(
            _("%(username)s already works for %(brand)s.")
            % {"username": user.get_username(), "brand": brand},
            field="username",
        )


def _user_create(
    *, username: str, email: str, first_name: str, last_name: str, password: str | None
):
    if not username:
        raise DomainError(_("Give the person a username."), field="username")
    if not email:
        raise DomainError(_("A person new to the desk needs an e-mail address."), field="email")
    if not password:
        raise DomainError(_("A person new to the desk needs a password."), field="password")
    user = get_user_model()(
        username=username, email=email, first_name=first_name, last_name=last_name
    )
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="password") from error
    user.set_password(password)
    try:
        # A savepoint: another brand's supervisor may create the same username at this moment.
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise DomainError(
            _("%(username)s was just taken; try again.") % {"username": username}, field="username"
        ) from error
    return user


def _snapshot(membership: Membership) -> dict:
    return {
        "brand": membership.brand.slug,
        "username": membership.user.get_username(),
        "role": membership.role,
    }


def _audit(actor, action: str, *, before: dict, after: dict) -> None:
    AuditEvent.objects.create(actor=actor, action=action, before=before, after=after)
