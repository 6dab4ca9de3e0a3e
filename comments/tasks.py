"""Tasks of the ``default`` queue for the classifier: thin, idempotent."""

from celery import shared_task

from comments import learning


@shared_task(acks_late=True)
def retrain_classifiers() -> int:
    return len(learning.retrains_nightly())


# Training takes about half a minute on an idle core; the limits leave room for a busy one.
@shared_task(name=learning.TRAIN_TASK, acks_late=True, time_limit=1800, soft_time_limit=1700)
def train_classifier_version(version_ids: list[int]) -> int:
    """Each once: a second delivery finds the row already claimed and does nothing."""
    return sum(learning.version_train(version_id=pk) is not None for pk in version_ids)
