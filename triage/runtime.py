"""Process-wide tuning for the long-lived web workers."""

import gc

# The default (700, 10, 10) ran a collection every few hundred allocations: an ingest request of
# 500 comments allocates hundreds of thousands of short-lived objects, and the collector spent
# about 20 ms of each such request re-scanning the loaded model and lexicons.
GC_THRESHOLDS = (10_000, 20, 20)


def settle_heap() -> None:
    """Call once the app and the classifier are loaded: what exists now lives as long as the
    process, so the collector stops scanning it (``gc.freeze``) and runs less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
