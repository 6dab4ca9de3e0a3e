from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BrandsConfig(AppConfig):
    name = "brands"
    verbose_name = _("Brands and teams")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Groups must exist with their permissions after every migrate, on every database,
        # so a fresh test database and a fresh deployment answer the same way.
        post_migrate.connect(
            _sync_roles_after_migrate, weak=False, dispatch_uid="brands.sync_roles"
        )


def _sync_roles_after_migrate(sender, **kwargs):
    from brands.grants import sync_role_groups  # models are loaded only once apps are ready

    sync_role_groups(using=kwargs.get("using", "default"))
