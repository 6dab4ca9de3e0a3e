import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "triage.settings")
application = get_wsgi_application()

from comments.classification import warm_up  # noqa: E402 (needs the app registry)
from triage.runtime import settle_heap  # noqa: E402

warm_up()
settle_heap()
