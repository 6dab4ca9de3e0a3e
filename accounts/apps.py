from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # Groups must exist with their permissions after every migrate, on every database,
        # so a fresh test database and a fresh deployment answer the same way.
        post_migrate.connect(
            _sync_roles_after_migrate, weak=False, dispatch_uid="accounts.sync_roles"
        )


def _sync_roles_after_migrate(sender, **kwargs):
    from accounts.roles import sync_role_groups

    sync_role_groups(using=kwargs.get("using", "default"))
