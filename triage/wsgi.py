import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "triage.settings")
application = get_wsgi_application()

from triage.runtime import prepare_worker  # noqa: E402 (needs the app registry)

prepare_worker()
