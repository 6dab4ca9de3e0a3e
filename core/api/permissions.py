from rest_framework.permissions import BasePermission


def has_perm(perm: str) -> type[BasePermission]:
    """A permission class that lets through authenticated users holding ``perm``."""

    class HasPerm(BasePermission):
        def has_permission(self, request, view):
            user = request.user
            return bool(user and user.is_authenticated and user.has_perm(perm))

    HasPerm.__name__ = f"HasPerm[{perm}]"
    return HasPerm
