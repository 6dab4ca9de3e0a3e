"""The admin, for superusers only.

A role grants its permissions within one brand (brands.backends), but the admin checks
permissions without a brand: a supervisor of one brand would read every brand's rows there. The
desk's own pages are scoped by brand, so that is where people with a role work.
"""

from django.contrib import admin


class SuperuserAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser
