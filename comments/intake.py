"""Ingest pushed comments: validate, classify in process, write in a few bulk statements.

``(platform, external_id)`` is the idempotency key. A retried batch writes nothing new and answers
the same; an item whose engagement grew updates its numbers and is classified again, so a comment
that goes viral after arrival turns red and is escalated.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from comments import classification
from comments.classifier import CommentInput, Decision
from comments.models import (
    LEVEL_RANK,
    OPEN_CASE_STATUSES,
    AuditEvent,
    Author,
    Case,
    Category,
    Classification,
    Comment,
    Level,
)
from comments.validation import CommentItem, validate_items
from crisis import escalation

logger = logging.getLogger(__name__)

# Two requests carrying the same new comment or author can race: the loser hits a unique
# constraint (or, on PostgreSQL, a deadlock) and simply runs again, finding the winner's rows.
_ATTEMPTS = 4


@dataclass(frozen=True, slots=True)
class IngestResult:
    index: int
    id: int
    external_id: str
    created: bool
    category: str
    level: str
    confidence: float
    reasons: list

    def as_dict(self) -> dict:
        return {
            "index": self.index, "id": self.id, "external_id": self.external_id,
            "created": self.created, "category": self.category, "level": self.level,
            "confidence": self.confidence, "reasons": self.reasons,
        }


def ingest(raw_items: list) -> list[IngestResult]:
    """Validate the whole batch (IngestValidationError: nothing written), then store it."""
    items = validate_items(raw_items, max_text_chars=settings.SEMAFORO["MAX_TEXT_CHARS"])
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return _store(items)
        except (IntegrityError, OperationalError) as error:
            if attempt == _ATTEMPTS or not _is_race(error):
                raise
            logger.info("ingest raced with another request; retrying (attempt %s)", attempt)
    raise AssertionError("unreachable")


def _is_race(error: Exception) -> bool:
    if isinstance(error, IntegrityError):
        return True
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) in _RACE_SQLSTATES


# deadlock_detected, serialization_failure
_RACE_SQLSTATES = {"40P01", "40001"}


def _store(items: list[CommentItem]) -> list[IngestResult]:
    now = timezone.now()
    first_of_key: dict[tuple[str, str], CommentItem] = {}
    for item in items:
        first_of_key.setdefault(item.key, item)

    existing = _existing_comments(first_of_key)
    new_items = [item for key, item in first_of_key.items() if key not in existing]
    authors = _upsert_authors(first_of_key.values(), now=now)
    overdue_author_ids = _authors_with_overdue_case(authors.values(), now=now)

    created = _create_comments(new_items, authors, overdue_author_ids, now=now)
    _relevel_grown(existing, first_of_key, authors, overdue_author_ids, now=now)

    stored = {**existing, **created}
    results = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(items):
        comment = stored[item.key]
        is_new = item.key in created and item.key not in seen
        results.append(_result(index, comment, created=is_new))
        seen.add(item.key)
    return results


def _result(index: int, comment: Comment, *, created: bool) -> IngestResult:
    return IngestResult(
        index=index, id=comment.pk, external_id=comment.external_id, created=created,
        category=comment.category, level=comment.level, confidence=comment.confidence,
        reasons=comment.reasons,
    )


# --- lookups --------------------------------------------------------------------------------


def _existing_comments(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Comment]:
    keys = set(keys)
    external_ids = {external_id for _, external_id in keys}
    found = Comment.objects.filter(external_id__in=external_ids).select_related("author")
    return {(c.platform, c.external_id): c for c in found if (c.platform, c.external_id) in keys}


def _upsert_authors(items: Iterable[CommentItem], *, now) -> dict[tuple[str, str], Author]:
    """Every author of the batch, created or with followers brought up to date."""
    latest: dict[tuple[str, str], CommentItem] = {}
    for item in items:
        latest[(item.platform, item.author_handle)] = item
    # Rows are locked in key order, so two batches sharing authors cannot deadlock.
    latest = dict(sorted(latest.items()))
    handles = {handle for _, handle in latest}
    authors = {
        (a.platform, a.handle): a
        for a in Author.objects.filter(handle__in=handles)
        if (a.platform, a.handle) in latest
    }
    changed = []
    for key, author in sorted(authors.items()):
        item = latest[key]
        display_name = item.author_display_name or author.display_name
        if author.followers != item.author_followers or author.display_name != display_name:
            author.followers = item.author_followers
            author.display_name = display_name
            author.updated_at = now
            changed.append(author)
    if changed:
        Author.objects.bulk_update(changed, ["followers", "display_name", "updated_at"])
    missing = [
        Author(platform=platform, handle=handle, display_name=item.author_display_name,
               followers=item.author_followers, created_at=now, updated_at=now)
        for (platform, handle), item in latest.items()
        if (platform, handle) not in authors
    ]
    for author in Author.objects.bulk_create(missing):
        authors[(author.platform, author.handle)] = author
    return authors


def _authors_with_overdue_case(authors: Iterable[Author], *, now) -> set[int]:
    """Authors with an open case past its deadline: the taxonomy makes new comments yellow."""
    return set(
        Case.objects.filter(
            author_id__in=[a.pk for a in authors], status__in=OPEN_CASE_STATUSES, due_at__lt=now
        ).values_list("author_id", flat=True)
    )


def _thread_keys(items: list[CommentItem]) -> dict[tuple[str, str], str]:
    """A reply joins its parent's thread when we know the parent; otherwise the id it answers."""
    parents = {item.in_reply_to for item in items if item.in_reply_to}
    known = dict(
        Comment.objects.filter(external_id__in=parents).values_list("external_id", "thread_key")
    ) if parents else {}
    batch = {item.external_id: item for item in items}
    keys = {}
    for item in items:
        parent = item.in_reply_to
        if not parent:
            keys[item.key] = ""
        elif parent in known:
            keys[item.key] = known[parent]
        elif parent in batch and not batch[parent].in_reply_to:
            keys[item.key] = ""
        else:
            keys[item.key] = parent
    return keys


# --- writes ---------------------------------------------------------------------------------


def _classify(items: list[CommentItem], authors, overdue_author_ids) -> list[Decision]:
    inputs = []
    for item in items:
        author = authors[(item.platform, item.author_handle)]
        inputs.append(CommentInput(
            text=item.text, lang=item.lang or None, platform=item.platform,
            author_followers=item.author_followers, likes=item.likes, shares=item.shares,
            author_is_troll=author.is_troll,
            author_has_overdue_case=author.pk in overdue_author_ids,
        ))
    return classification.classify(inputs)


def _create_comments(items, authors, overdue_author_ids, *, now) -> dict:
    if not items:
        return {}
    decisions = _classify(items, authors, overdue_author_ids)
    thread_keys = _thread_keys(items)
    cases = _open_or_update_cases(items, decisions, authors, thread_keys, now=now)
    comments = Comment.objects.bulk_create([
        Comment(
            platform=item.platform, external_id=item.external_id,
            author=authors[(item.platform, item.author_handle)],
            case=cases.get(item.key), text=item.text, lang=decision.lang or item.lang,
            url=item.url, in_reply_to=item.in_reply_to, thread_key=thread_keys[item.key],
            account=item.account, posted_at=item.posted_at or now, received_at=now,
            author_followers=item.author_followers, likes=item.likes, shares=item.shares,
            raw=item.raw, **_decision_fields(decision),
        )
        for item, decision in zip(items, decisions, strict=True)
    ])
    Classification.objects.bulk_create(
        _classification(comment, decision, now=now)
        for comment, decision in zip(comments, decisions, strict=True)
    )
    escalation.escalations_create(
        comment_ids=[c.pk for c in comments if c.level == Level.RED], now=now
    )
    return {(c.platform, c.external_id): c for c in comments}


def _decision_fields(decision: Decision) -> dict:
    return {
        "category": decision.category,
        "level": decision.level,
        "level_rank": LEVEL_RANK[Level(decision.level)],
        "confidence": round(decision.confidence, 4),
        "reasons": [reason.as_dict() for reason in decision.reasons],
        "model_version": decision.model_version,
    }


def _classification(comment: Comment, decision: Decision, *, now) -> Classification:
    fields = _decision_fields(decision)
    del fields["level_rank"]
    return Classification(comment=comment, created_at=now, **fields)


def due_at_for(level: str, *, start: datetime) -> datetime:
    return start + timedelta(minutes=settings.SEMAFORO["DUE_MINUTES"][level])


def _open_or_update_cases(items, decisions, authors, thread_keys, *, now) -> dict:
    """The open case of each negative comment's author and thread, opened when there is none.

    A case takes the most urgent level of its comments, and its deadline shortens to match.
    """
    wanted: dict[tuple[int, str], Decision] = {}
    key_of_item = {}
    for item, decision in zip(items, decisions, strict=True):
        if decision.category == Category.OTHER:
            continue
        author = authors[(item.platform, item.author_handle)]
        case_key = (author.pk, thread_keys[item.key])
        key_of_item[item.key] = case_key
        current = wanted.get(case_key)
        if current is None or LEVEL_RANK[Level(decision.level)] < LEVEL_RANK[Level(current.level)]:
            wanted[case_key] = decision
    if not wanted:
        return {}
    wanted = dict(sorted(wanted.items()))  # the same lock order in every batch

    open_cases = {
        (case.author_id, case.thread_key): case
        for case in Case.objects.filter(
            author_id__in={author_id for author_id, _ in wanted}, status__in=OPEN_CASE_STATUSES
        )
    }
    raised = []
    for case_key, decision in wanted.items():
        case = open_cases.get(case_key)
        rank = LEVEL_RANK[Level(decision.level)]
        if case is not None and rank < case.level_rank:
            case.level, case.level_rank, case.category = decision.level, rank, decision.category
            case.due_at = min(case.due_at, due_at_for(decision.level, start=now))
            raised.append(case)
    if raised:
        Case.objects.bulk_update(raised, ["level", "level_rank", "category", "due_at"])

    new_cases = Case.objects.bulk_create([
        Case(author_id=author_id, thread_key=thread_key, category=decision.category,
             level=decision.level, level_rank=LEVEL_RANK[Level(decision.level)], opened_at=now,
             due_at=due_at_for(decision.level, start=now))
        for (author_id, thread_key), decision in wanted.items()
        if (author_id, thread_key) not in open_cases
    ])
    AuditEvent.objects.bulk_create(
        AuditEvent(action="case_opened", case=case, created_at=now,
                   after={"level": case.level, "category": case.category})
        for case in new_cases
    )
    for case in new_cases:
        open_cases[(case.author_id, case.thread_key)] = case
    return {item_key: open_cases[case_key] for item_key, case_key in key_of_item.items()}


def _relevel_grown(existing, first_of_key, authors, overdue_author_ids, *, now) -> None:
    """Classify again the known comments whose reach grew, and escalate those that turned red."""
    grown = []
    for key, comment in existing.items():
        item = first_of_key[key]
        if (item.likes > comment.likes or item.shares > comment.shares
                or item.author_followers > comment.author_followers):
            comment.likes = max(comment.likes, item.likes)
            comment.shares = max(comment.shares, item.shares)
            comment.author_followers = max(comment.author_followers, item.author_followers)
            grown.append((item, comment))
    if not grown:
        return
    # A person's correction outranks the model: numbers are updated, the decision is kept.
    automatic = [(item, c) for item, c in grown if not c.classified_by_human]
    decisions = _classify(
        [_with_counts(item, c) for item, c in automatic], authors, overdue_author_ids
    )
    changed = []
    for (_, comment), decision in zip(automatic, decisions, strict=True):
        if (decision.level, decision.category) != (comment.level, comment.category):
            for field, value in _decision_fields(decision).items():
                setattr(comment, field, value)
            changed.append((comment, decision))
    Comment.objects.bulk_update(
        [c for _, c in grown],
        ["likes", "shares", "author_followers", "category", "level", "level_rank", "confidence",
         "reasons", "model_version"],
    )
    Classification.objects.bulk_create(_classification(c, d, now=now) for c, d in changed)
    escalation.escalations_create(
        comment_ids=[c.pk for c, _ in changed if c.level == Level.RED], now=now
    )


def _with_counts(item: CommentItem, comment: Comment) -> CommentItem:
    """The item as last known: counts never go down, a late retry cannot un-red a comment."""
    return replace(item, likes=comment.likes, shares=comment.shares,
                   author_followers=comment.author_followers)
