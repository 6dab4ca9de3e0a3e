from django.contrib.admin.apps import AdminConfig


class SuperuserAdminConfig(AdminConfig):
    """Django's admin app with the superusers-only site (core.admin) as ``admin.site``."""

    default_site = "core.admin.SuperuserAdminSite"
