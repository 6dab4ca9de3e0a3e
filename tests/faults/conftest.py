"""The real worker, its broker and a webhook receiver, shared with the apps' worker tests."""

from tests.crisis.conftest import broker, celery_worker_factory  # noqa: F401
from tests.outbound.conftest import receiver, receiver_factory  # noqa: F401
