"""The one Celery app: queues, routes and the beat schedule.

Reds go to their own ``crisis`` queue so a flood of ordinary work can never delay the committee;
production runs separate workers for each queue (see docker-compose.yml).
"""

import os

from celery import Celery
from celery.signals import beat_embedded_init, worker_init
from kombu import Queue

from core.processes import stop_when_parent_dies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "triage.settings")

app = Celery("triage")
app.config_from_object("django.conf:settings", namespace="CELERY")


app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_time_limit=120,
    task_soft_time_limit=90,
    task_default_queue="default",
    task_queues=[Queue("default"), Queue("crisis")],
    task_routes={"crisis.tasks.*": {"queue": "crisis"}},
    # Publishing happens inside a web request (after commit): if the broker is down, give up
    # quickly and let the sweep deliver later instead of holding the client's request.
    task_publish_retry_policy={
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    },
    broker_connection_timeout=2,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)
app.autodiscover_tasks()


_worker_pid: int | None = None


@worker_init.connect
def _remember_the_worker(**kwargs):
    """In the worker's own process, before it forks its embedded beat (-B), which inherits it."""
    global _worker_pid
    _worker_pid = os.getpid()


@beat_embedded_init.connect
def _beat_stops_with_its_worker(sender, **kwargs):
    """A worker killed hard (or while it starts, before it can stop beat) would leave its
    embedded beat scheduling on: see core.processes."""
    if _worker_pid is not None:
        stop_when_parent_dies(_worker_pid)
