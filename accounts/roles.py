"""Roles and what each may do; every view and endpoint checks a permission, never a role name.

People hold roles per brand (``brands.Membership``): ``brands.backends.MembershipBackend`` gives
a person the permissions of the roles they hold, and ``brands.access`` narrows every read to the
brands where they hold them. REST clients are not people of a brand: they are users in the
``api_client`` group, and their token names the brand.
"""

from django.contrib.auth.models import Group, Permission
from django.db import models


class Role(models.TextChoices):
    COMMUNITY_MANAGER = "community_manager", "Community manager"
    SUPERVISOR = "supervisor", "Supervisor"
    CRISIS_COMMITTEE = "crisis_committee", "Crisis committee"
    API_CLIENT = "api_client", "API client"


# "app_label.codename" of each permission a role holds.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.COMMUNITY_MANAGER: (
        "comments.view_queue",
        "comments.view_comment",
        "comments.correct_classification",
        "comments.work_case",
    ),
    Role.SUPERVISOR: (
        "comments.view_queue",
        "comments.view_comment",
        "comments.correct_classification",
        "comments.work_case",
        "comments.assign_case",
        "comments.flag_troll",
        "comments.approve_reply",
        "comments.change_protocol",
        "comments.manage_department",
        "comments.view_model_figures",
        "brands.manage_team",
        "crisis.view_crisis",
        "crisis.manage_crisis",
    ),
    Role.CRISIS_COMMITTEE: (
        "comments.view_queue",
        "comments.view_comment",
        "crisis.view_escalation",
        "crisis.view_crisis",
        "crisis.manage_crisis",
    ),
    Role.API_CLIENT: (
        "comments.ingest_comment",
        "comments.view_comment",
    ),
}

DASHBOARD_PERMISSION = "comments.view_queue"


def roles_granting(perm: str) -> frozenset[str]:
    return frozenset(role.value for role, perms in ROLE_PERMISSIONS.items() if perm in perms)


def sync_role_groups(*, using: str = "default") -> None:
    """The REST clients' group and its permissions; people's roles live in memberships."""
    group, _ = Group.objects.using(using).get_or_create(name=Role.API_CLIENT.value)
    perms = [_permission(name, using=using) for name in ROLE_PERMISSIONS[Role.API_CLIENT]]
    group.permissions.set([p for p in perms if p is not None])


def _permission(dotted: str, *, using: str) -> Permission | None:
    app_label, codename = dotted.split(".", 1)
    return (
        Permission.objects.using(using)
        .filter(content_type__app_label=app_label, codename=codename)
        .first()
    )


def grant_role(user, role: Role, *, brand=None) -> None:
    """A REST client joins the ``api_client`` group; a person joins ``brand`` in ``role``."""
    if role == Role.API_CLIENT:
        user.groups.add(Group.objects.get(name=role.value))
        return
    if brand is None:
        raise ValueError(f"{role.label} is a role in a brand: name the brand")
    from brands.models import Membership

    Membership.objects.update_or_create(user=user, brand=brand, defaults={"role": role.value})
    for cache in ("_membership_perm_cache", "_brand_roles_cache"):
        user.__dict__.pop(cache, None)
