"""Roles are Django groups; what each may do is a permission, checked by every view and endpoint.

The mapping below is the single source of truth: ``sync_role_groups`` runs after each migrate.
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
    ),
    Role.SUPERVISOR: (
        "comments.view_queue",
        "comments.view_comment",
        "comments.correct_classification",
    ),
    Role.CRISIS_COMMITTEE: (
        "comments.view_queue",
        "comments.view_comment",
        "crisis.view_escalation",
    ),
    Role.API_CLIENT: (
        "comments.ingest_comment",
        "comments.view_comment",
    ),
}

DASHBOARD_PERMISSION = "comments.view_queue"


def sync_role_groups(*, using: str = "default") -> None:
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        perms = [_permission(name, using=using) for name in perm_names]
        group.permissions.set([p for p in perms if p is not None])


def _permission(dotted: str, *, using: str) -> Permission | None:
    app_label, codename = dotted.split(".", 1)
    return (
        Permission.objects.using(using)
        .filter(content_type__app_label=app_label, codename=codename)
        .first()
    )


def grant_role(user, role: Role) -> None:
    user.groups.add(Group.objects.get(name=role.value))


def has_role(user, role: Role) -> bool:
    """Whether `user` holds `role`: for the few pages meant for one role rather than for a
    permission several roles share (the classifier's figures are for supervisors)."""
    return user.is_authenticated and user.groups.filter(name=role.value).exists()
