"""Process-wide preparation of a long-lived web worker, run once when it loads the app."""

import gc

# The default (700, 10, 10) ran a collection every few hundred allocations: an ingest request of
# 500 comments allocates hundreds of thousands of short-lived objects, and the collector spent
# about 20 ms of each such request re-scanning the loaded model and lexicons.
GC_THRESHOLDS = (10_000, 20, 20)


def prepare_worker() -> None:
    """Load now what the first requests would load (the URLconf with every view it imports,
    the classifier's model and lexicons, the broker's transport), then settle the heap.
    Nothing here connects to the broker: a worker starts while it is down."""
    from django.urls import get_resolver

    from comments.classification import warm_up
    from triage.celery import app as celery_app

    get_resolver().url_patterns  # noqa: B018 (imports the views)
    warm_up()
    celery_app.producer_pool  # noqa: B018 (imports the transport)
    settle_heap()


def settle_heap() -> None:
    """What exists now lives as long as the process: the collector stops scanning it
    (``gc.freeze``) and runs less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
