from django.contrib.auth.backends import BaseBackend

from brands.access import brand_roles
from brands.roles import ROLE_PERMISSIONS, Role


class MembershipBackend(BaseBackend):
    """A person holds the permissions of the roles they have in any of their brands.

    Which brands a permission reaches is ``brands.access``'s question; this answers only "may
    this person do X somewhere", which is what ``permission_required`` asks.
    """

    def get_all_permissions(self, user_obj, obj=None):
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        cached = user_obj.__dict__.get("_membership_perm_cache")
        if cached is None:
            cached = {
                perm
                for role in set(brand_roles(user_obj).values())
                for perm in ROLE_PERMISSIONS[Role(role)]
            }
            user_obj.__dict__["_membership_perm_cache"] = cached
        return cached

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)
