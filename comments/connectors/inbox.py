"""The webhook inbox: a verified delivery is stored, acknowledged, then turned into comments.

A platform that hears anything but a quick 200 retries, and gives up after a while: so the
request only writes the raw body (``WebhookDelivery``) and answers. After commit a worker claims
the row with a conditional UPDATE and applies its changes one by one (``each_isolated``): one
change that fails (a page no brand holds, a comment intake refuses) is recorded on the row with
its reason, and the row is retried, alone, after a backoff. The changes that worked are not
undone, and applying them again is a no-op (intake is idempotent on the platform's comment id),
so a retried or replayed delivery never duplicates a comment. A sweep takes what the broker or a
dead worker missed.
"""

import logging
from collections import Counter
from datetime import timedelta
from functools import partial

import orjson
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from brands.models import BrandAccount
from comments import intake, revisions
from comments.connectors import meta
from comments.models import WebhookDelivery
from comments.validation import IngestValidationError
from core.errors import DomainError
from core.queueing import (
    MAX_ATTEMPTS,
    claim_due,
    each_isolated,
    error_text,
    publish_in_chunks,
    retry_alone,
    retry_delay,
)

#: The task that turns deliveries into comments (``comments.tasks``).
PROCESS_TASK = "comments.tasks.process_webhook_deliveries"

logger = logging.getLogger(__name__)

#: A claim older than this is a dead worker's: another takes the delivery over.
CLAIM_TIMEOUT = timedelta(minutes=2)
SWEEP_BATCH = 500
PUBLISH_CHUNK = 50


def delivery_receive(*, source: str, body: bytes) -> WebhookDelivery:
    """Store a verified delivery as received; a worker takes it after commit."""
    now = timezone.now()
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            source=source, body=body, received_at=now, next_attempt_at=now
        )
        transaction.on_commit(partial(deliveries_enqueue, [delivery.pk]), robust=True)
    return delivery


def deliveries_enqueue(delivery_ids: list[int]) -> int:
    """Hand deliveries to workers; on a broker error they wait for the sweep."""
    return publish_in_chunks(PROCESS_TASK, delivery_ids, chunk=PUBLISH_CHUNK)


def deliveries_process(*, delivery_ids: list[int]) -> int:
    """Process each delivery of a message; answers how many this call completed."""
    return sum(delivery_process(delivery_id=pk) for pk in delivery_ids)


def delivery_process(*, delivery_id: int) -> bool:
    """Apply every change of one delivery once; True when all of them reached the desk.

    False without doing anything when it is processed or a live worker holds it. Call outside a
    transaction: each change commits on its own, so a failing one keeps the others.
    """
    claimed_at = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        Q(claimed_at=None) | Q(claimed_at__lt=claimed_at - CLAIM_TIMEOUT),
        pk=delivery_id,
        processed_at=None,
    ).update(claimed_at=claimed_at, attempts=F("attempts") + 1)
    if not claimed:
        return False
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    try:
        changes = meta.delivery_changes(orjson.loads(bytes(delivery.body)))
    except (orjson.JSONDecodeError, IngestValidationError) as error:
        # Retrying cannot mend the body Meta signed: it waits, with its reason, for a person.
        _finish(delivery, claimed_at, last_error=_reason(error), next_attempt_at=None)
        return False

    outcome: Counter[str] = Counter()
    errors: dict[int, Exception] = {}
    accounts = _AccountRouter()

    def apply(index: int) -> None:
        outcome[change_apply(changes[index], accounts=accounts)] += 1

    # By index: what a failure logs is the change's place, not a customer's words.
    each_isolated(range(len(changes)), apply, failed=errors.__setitem__)
    if errors:
        outcome["failed"] = len(errors)
        _failed(delivery, claimed_at, errors=errors, outcome=outcome)
        return False
    _finish(
        delivery,
        claimed_at,
        processed_at=timezone.now(),
        next_attempt_at=None,
        outcome=dict(outcome),
    )
    return True


def change_apply(raw: meta.RawChange, *, accounts: "_AccountRouter") -> str:
    """One change through intake; answers what it did (created, unchanged, edited, removed,
    ignored)."""
    change = meta.change_read(raw)
    if change is None:
        return "ignored"
    account = accounts.account(change.platform, change.account_id)
    if change.verb == meta.Verb.REMOVE:
        removed = revisions.comment_remove_at_source(
            brand_id=account.brand_id, platform=change.platform, external_id=change.external_id
        )
        return "removed" if removed else "unchanged"
    item = {**change.item, "account": account.handle}
    if change.verb == meta.Verb.EDITED:
        result = revisions.comment_edit_at_source(item=item, brand_id=account.brand_id)
        return "created" if result.created else "edited"
    [result] = intake.ingest([item], brand_id=account.brand_id)
    return "created" if result.created else "unchanged"


class _AccountRouter:
    """The brand account holding each page or Instagram account id, read once per delivery."""

    def __init__(self):
        self._found: dict[tuple[str, str], BrandAccount | None] = {}

    def account(self, platform: str, account_id: str) -> BrandAccount:
        key = (platform, account_id)
        if key not in self._found:
            self._found[key] = (
                BrandAccount.objects.filter(platform=platform, platform_account_id=account_id)
                .only("pk", "brand_id", "handle")
                .first()
                if account_id
                else None
            )
        found = self._found[key]
        if found is None:
            raise DomainError(
                f"no brand account holds the {platform} account id {account_id!r}: set it as "
                "the platform account id of the brand's account, and the delivery is retried",
                field="entry.id",
            )
        return found


def _failed(delivery, claimed_at, *, errors: dict[int, Exception], outcome: Counter) -> None:
    """Some changes failed: the row keeps their reasons and is retried alone after a backoff;
    past ``MAX_ATTEMPTS`` it waits for a person."""
    attempts = delivery.attempts
    exhausted = attempts >= MAX_ATTEMPTS
    due = None if exhausted else timezone.now() + retry_delay(attempts)
    reasons = "; ".join(f"change {index}: {_reason(error)}" for index, error in errors.items())
    recorded = _finish(
        delivery, claimed_at, last_error=reasons[:4000], next_attempt_at=due, outcome=dict(outcome)
    )
    if recorded and not exhausted:
        retry_alone(PROCESS_TASK, delivery.pk, attempts=attempts)


def _reason(error: Exception) -> str:
    if isinstance(error, IngestValidationError):
        return "; ".join(f"{e.field}: {e.message}" if e.field else e.message for e in error.errors)[
            :1000
        ]
    if isinstance(error, DomainError):
        return error.message[:1000]
    return error_text(error)


def _finish(delivery: WebhookDelivery, claimed_at, **fields) -> bool:
    """Record the outcome while the claim is still ours (a slow worker's may have expired)."""
    fields.setdefault("last_error", "")
    return bool(
        WebhookDelivery.objects.filter(pk=delivery.pk, claimed_at=claimed_at).update(
            claimed_at=None, **fields
        )
    )


def deliveries_sweep(*, now=None) -> int:
    """Enqueue the deliveries still unprocessed a grace period after they were due: the broker
    was down, a worker died, or their backoff has passed. Answers how many went out."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.SEMAFORO["WEBHOOK_SWEEP_GRACE_S"])
    with transaction.atomic():
        ids = claim_due(
            WebhookDelivery.objects.filter(
                processed_at=None, next_attempt_at__lte=now - grace, attempts__lt=MAX_ATTEMPTS
            ),
            order_by="next_attempt_at",
            limit=SWEEP_BATCH,
            # Due again one grace later: a message lost on the way is swept once more.
            mark={"next_attempt_at": now},
        )
        if ids:
            transaction.on_commit(partial(deliveries_enqueue, ids), robust=True)
    return len(ids)
