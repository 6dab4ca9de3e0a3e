from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Comments and cases")

    def ready(self):
        import triage.lookups  # noqa: F401 (registers ``__any_of``)
