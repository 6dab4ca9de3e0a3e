"""Giving a person a role in a brand, and the REST clients' group its permissions."""

from django.contrib.auth.models import Group, Permission

from brands.models import Membership
from brands.roles import ROLE_PERMISSIONS, Role


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
    Membership.objects.update_or_create(user=user, brand=brand, defaults={"role": role.value})
    for cache in ("_membership_perm_cache", "_brand_roles_cache"):
        user.__dict__.pop(cache, None)
