"""Ingest pushed comments: validate, classify in process, write in a few bulk statements.

``(platform, external_id)`` is the idempotency key. A retried batch writes nothing new and answers
the same; an item whose engagement grew updates its numbers and is classified again, so a comment
that goes viral after arrival turns red and is escalated.

A ``historic`` batch (a history import: comments of last month, loaded from a social tool's
export) is classified, filed in cases and counted in the indicators like any other, but it is
the past: it starts or joins no ripple, and none of its reds, nor a known comment it turns red,
calls the committee. Its comments carry no ripple signature, so no later live batch finds them
in its window either.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from brands.models import Brand, BrandAccount
from cases.clocks import response_overdue
from cases.raising import CaseDemand, OpenCase, cases_raise, open_cases_of
from classifier import CommentInput, Decision
from comments import classification, ripple_members, ripples, urgency
from comments.models import Author, Comment
from comments.validation import (
    CommentItem,
    IngestValidationError,
    ItemError,
    validate_each,
    validate_items,
)
from core.bulk import insert_rows, rows_by_keys
from core.pii import pii_mask_strings, pii_spans
from core.taxonomy import LEVEL_RANK, Level

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
            "index": self.index,
            "id": self.id,
            "external_id": self.external_id,
            "created": self.created,
            "category": self.category,
            "level": self.level,
            "confidence": self.confidence,
            "reasons": self.reasons,
        }


def ingest(raw_items: list, *, brand_id: int | None, historic: bool = False) -> list[IngestResult]:
    """Validate the whole batch (IngestValidationError: nothing written), then store it.

    ``brand_id`` is the REST client's brand; ``None`` for a relay serving several brands, whose
    items are each filed to the brand owning the ``account`` they name. ``historic``: the batch
    is history, which calls nobody (see the module's docstring).
    """
    items = validate_items(raw_items, max_text_chars=settings.SEMAFORO["MAX_TEXT_CHARS"])
    routed, errors = _route_to_brands(list(enumerate(items)), brand_id=brand_id)
    if errors:
        raise IngestValidationError(errors)
    return _ingest_routed(routed, historic=historic)


@dataclass(frozen=True, slots=True)
class Ingested:
    """What ``ingest_each`` did: a result per stored item and the reasons of the others, each
    with the item's index in the batch."""

    results: list[IngestResult]
    errors: list[ItemError]


def ingest_each(raw_items: list, *, brand_id: int | None, historic: bool = False) -> Ingested:
    """As ``ingest``, but an invalid item is left out and reported instead of refusing the
    batch: for an import, where one bad line must not hold back the good ones beside it."""
    valid, errors = validate_each(raw_items, max_text_chars=settings.SEMAFORO["MAX_TEXT_CHARS"])
    routed, refused = _route_to_brands(valid, brand_id=brand_id)
    results = _ingest_routed(routed, historic=historic) if routed else []
    return Ingested(results, sorted([*errors, *refused], key=lambda error: error.index or 0))


def _ingest_routed(by_brand, *, historic: bool) -> list[IngestResult]:
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            authors = _commit_authors(by_brand)
            with transaction.atomic():
                results: list[IngestResult] = []
                for brand, indexed in by_brand:
                    results.extend(_store(brand, indexed, authors[brand.pk], historic=historic))
                return sorted(results, key=lambda result: result.index)
        except (IntegrityError, OperationalError) as error:
            if attempt == _ATTEMPTS or not _is_race(error):
                raise
            logger.info("ingest raced with another request; retrying (attempt %s)", attempt)
    raise AssertionError("unreachable")


def _commit_authors(by_brand) -> dict[int, dict[tuple[str, str], "_Author"]]:
    """Every author of the batch, per brand, written and committed on their own.

    An upserted row stays locked until its transaction ends: inside the batch's transaction, two
    batches sharing an author (a ripple is many batches of the same people) ran one after the
    other. An author committed for a batch that then fails is harmless, a customer with no
    comment yet.
    """
    now = timezone.now()
    with transaction.atomic():
        return {
            brand.pk: _upsert_authors(brand, (item for _, item in indexed), now=now)
            for brand, indexed in by_brand
        }


def _route_to_brands(indexed: list[tuple[int, CommentItem]], *, brand_id: int | None):
    """``[(brand, [(index, item), …]), …]``: each item filed by its account, or the client's
    brand; and the errors of the items refused. An item naming another brand's account, or (for
    a relay) no known account, is refused: a comment must never land in a brand that did not
    receive it."""
    accounts = {(item.platform, item.account) for _, item in indexed if item.account}
    owner = {
        (platform, handle): owner_id
        for platform, handle, owner_id in rows_by_keys(
            BrandAccount,
            ("platform", "handle"),
            accounts,
            returning=("platform", "handle", "brand_id"),
        )
    }
    errors, routed = [], defaultdict(list)
    for index, item in indexed:
        account_brand = owner.get((item.platform, item.account))
        if brand_id is None and account_brand is None:
            errors.append(
                ItemError(
                    index, "account", "must name an account of one of the brands this client serves"
                )
            )
        elif brand_id is not None and account_brand not in (None, brand_id):
            errors.append(ItemError(index, "account", "is not an account of this client's brand"))
        else:
            routed[account_brand or brand_id].append((index, item))
    brands = Brand.objects.in_bulk(list(routed)) if routed else {}
    return [(brands[pk], items) for pk, items in sorted(routed.items())], errors


def _is_race(error: Exception) -> bool:
    if isinstance(error, IntegrityError):
        return True
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) in _RACE_SQLSTATES


# deadlock_detected, serialization_failure
_RACE_SQLSTATES = {"40P01", "40001"}


def _store(
    brand: Brand, indexed: list[tuple[int, CommentItem]], authors, *, historic: bool
) -> list[IngestResult]:
    now = timezone.now()
    first_of_key: dict[tuple[str, str], CommentItem] = {}
    for _, item in indexed:
        first_of_key.setdefault(item.key, item)

    existing = _existing_comments(brand, first_of_key)
    new_items = [item for key, item in first_of_key.items() if key not in existing]
    open_cases = _open_cases(authors, now=now)
    created = _create_comments(brand, new_items, authors, open_cases, now=now, historic=historic)
    _relevel_grown(brand, existing, first_of_key, authors, now=now, historic=historic)

    stored = {key: _Stored.of(comment) for key, comment in existing.items()} | created
    results = []
    seen: set[tuple[str, str]] = set()
    for index, item in indexed:
        comment = stored[item.key]
        is_new = item.key in created and item.key not in seen
        results.append(_result(index, comment, created=is_new))
        seen.add(item.key)
    return results


@dataclass(frozen=True, slots=True)
class _Stored:
    """What the answer needs of a stored comment, without a model instance per row."""

    id: int
    external_id: str
    category: str
    level: str
    confidence: float
    reasons: list

    @classmethod
    def of(cls, comment: Comment) -> "_Stored":
        return cls(
            id=comment.pk,
            external_id=comment.external_id,
            category=comment.category,
            level=comment.level,
            confidence=comment.confidence,
            reasons=comment.reasons,
        )


def _result(index: int, comment: _Stored, *, created: bool) -> IngestResult:
    return IngestResult(
        index=index,
        id=comment.id,
        external_id=comment.external_id,
        created=created,
        category=comment.category,
        level=comment.level,
        confidence=comment.confidence,
        reasons=comment.reasons,
    )


# --- lookups --------------------------------------------------------------------------------


def _existing_comments(brand, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Comment]:
    """The batch's comments already stored; a new batch costs one index probe per key."""
    ids = [
        pk
        for (pk,) in rows_by_keys(
            Comment, ("platform", "external_id"), keys, returning=("id",), brand_id=brand.pk
        )
    ]
    if not ids:
        return {}
    return {(c.platform, c.external_id): c for c in Comment.objects.filter(pk__in=ids)}


@dataclass(slots=True)
class _Author:
    pk: int  # every author of a batch is read or written before its comments
    is_troll: bool
    followers: int
    display_name: str
    has_overdue_case: bool = False


def _upsert_authors(brand, items: Iterable[CommentItem], *, now) -> dict[tuple[str, str], _Author]:
    """Every author of the batch, created or with followers brought up to date.

    One upsert writes the new and the changed authors; rows are written in key order, so two
    batches sharing authors cannot deadlock.
    """
    latest: dict[tuple[str, str], CommentItem] = {}
    for item in items:
        latest[(item.platform, item.author_handle)] = item
    authors = {
        (platform, handle): _Author(pk, is_troll, followers, display_name)
        for pk, platform, handle, is_troll, followers, display_name in rows_by_keys(
            Author,
            ("platform", "handle"),
            latest,
            brand_id=brand.pk,
            returning=("id", "platform", "handle", "is_troll", "followers", "display_name"),
        )
    }
    writes = []
    for key, item in sorted(latest.items()):
        author = authors.get(key)
        display_name = item.author_display_name or (author.display_name if author else "")
        if author and (author.followers, author.display_name) == (
            item.author_followers,
            display_name,
        ):
            continue
        writes.append(
            {
                "brand_id": brand.pk,
                "platform": key[0],
                "handle": key[1],
                "display_name": display_name,
                "followers": item.author_followers,
                "is_troll": False,
                "created_at": now,
                "updated_at": now,
            }
        )
    written = insert_rows(
        Author,
        writes,
        returning=("id", "platform", "handle", "is_troll"),
        unique_fields=("brand", "platform", "handle"),
        update_fields=("followers", "display_name", "updated_at"),
    )
    sent = {(row["platform"], row["handle"]): row for row in writes}
    for pk, platform, handle, is_troll in written:
        row = sent[(platform, handle)]
        authors[(platform, handle)] = _Author(pk, is_troll, row["followers"], row["display_name"])
    return authors


def _open_cases(authors: dict[tuple[str, str], _Author], *, now) -> dict[tuple, OpenCase]:
    """The open cases of the batch's authors, by (author, thread); marks the overdue authors,
    whose new comments the taxonomy makes yellow."""
    by_pk = {author.pk: author for author in authors.values()}
    open_cases = open_cases_of(by_pk)
    for (author_id, _), case in open_cases.items():
        if response_overdue(case.clocks, now=now):
            by_pk[author_id].has_overdue_case = True
    return open_cases


def _thread_keys(brand, items: list[CommentItem]) -> dict[tuple[str, str], str]:
    """A reply joins its parent's thread when we know the parent; otherwise the id it answers."""
    parents = {item.in_reply_to for item in items if item.in_reply_to}
    known = (
        dict(
            Comment.objects.filter(brand=brand, external_id__in=parents).values_list(
                "external_id", "thread_key"
            )
        )
        if parents
        else {}
    )
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


def _classify(brand, items: list[CommentItem], authors) -> list[Decision]:
    inputs = []
    for item in items:
        author = authors[(item.platform, item.author_handle)]
        inputs.append(
            CommentInput(
                text=item.text,
                lang=item.lang or None,
                platform=item.platform,
                author_followers=item.author_followers,
                likes=item.likes,
                shares=item.shares,
                author_is_troll=author.is_troll,
                author_has_overdue_case=author.has_overdue_case,
            )
        )
    return classification.classify(inputs, brand=brand)


def _create_comments(brand, items, authors, open_cases, *, now, historic: bool) -> dict:
    if not items:
        return {}
    decisions = _classify(brand, items, authors)
    if historic:  # the past starts no ripple, and no live batch finds it in its window
        detected = ripples.Detection()
    else:
        detected = ripples.ripples_detect(
            brand=brand,
            batch=[
                ripples.BatchComment(
                    key=item.key,
                    author_id=authors[(item.platform, item.author_handle)].pk,
                    author=item.author_handle,
                    posted_at=item.posted_at or now,
                    text=item.text,
                    category=decision.category,
                )
                for item, decision in zip(items, decisions, strict=True)
            ],
            now=now,
        )
        decisions = [
            detected.decision(item.key, d) for item, d in zip(items, decisions, strict=True)
        ]
    thread_keys = _thread_keys(brand, items)
    cases = cases_raise(
        brand=brand,
        demands=_case_demands(items, decisions, authors, thread_keys),
        now=now,
        open_cases=open_cases,
    )
    rows = []
    for item, decision in zip(items, decisions, strict=True):
        fields = _decision_fields(decision)
        rows.append(
            {
                "brand_id": brand.pk,
                "platform": item.platform,
                "external_id": item.external_id,
                "author_id": authors[(item.platform, item.author_handle)].pk,
                "case_id": cases.case_ids.get(item.key),
                "text": item.text,
                "lang": decision.lang or item.lang,
                "url": item.url,
                "in_reply_to": item.in_reply_to,
                "thread_key": thread_keys[item.key],
                "account": item.account,
                "posted_at": item.posted_at or now,
                "received_at": now,
                "author_followers": item.author_followers,
                "likes": item.likes,
                "shares": item.shares,
                **privacy_fields(item),
                "classified_by_human": False,
                "ripple_terms": detected.terms.get(item.key),
                "ripple_id": detected.ripple_of.get(item.key),
                **fields,
            }
        )
    inserted = insert_rows(Comment, rows, returning=("id", "platform", "external_id"))
    ids = {(platform, external_id): pk for pk, platform, external_id in inserted}
    comment_ids = [ids[item.key] for item in items]
    classification.record_automatic_decisions(comment_ids, now=now)
    if not historic:  # a red of the past is filed in its case; the committee is not called
        urgency.reds_escalate(
            [pk for pk, row in zip(comment_ids, rows, strict=True) if row["level"] == Level.RED],
            now=now,
        )
        ripple_members.ripples_apply(detected, brand=brand, now=now)
    # Last, as rows other batches may also write stay locked until the commit: one UPDATE FROM
    # unnest, as a ripple raises hundreds of cases at once.
    cases.write_raises()
    return {
        item.key: _Stored(
            id=pk,
            external_id=item.external_id,
            category=row["category"],
            level=row["level"],
            confidence=row["confidence"],
            reasons=row["reasons"],
        )
        for item, pk, row in zip(items, comment_ids, rows, strict=True)
    }


def privacy_fields(item: CommentItem) -> dict:
    """The personal data found in the text, stored as spans so pages mask it cheaply, and the
    raw payload with it masked: only ``Comment.text`` keeps it, for those who may see it (the
    classifier has already read the original)."""
    spans = pii_spans(item.text)
    raw = pii_mask_strings(item.raw, keep=frozenset({item.text})) if spans else item.raw
    return {"pii": spans, "raw": raw}


def _decision_fields(decision: Decision) -> dict:
    return {
        "category": decision.category,
        "level": decision.level,
        "level_rank": LEVEL_RANK[Level(decision.level)],
        "confidence": round(decision.confidence, 4),
        "reasons": [reason.as_dict() for reason in decision.reasons],
        "model_version": decision.model_version,
        "uncertain": decision.uncertain,
    }


def _case_demands(items, decisions, authors, thread_keys) -> list[CaseDemand]:
    return [
        CaseDemand(
            key=item.key,
            author_id=authors[(item.platform, item.author_handle)].pk,
            thread_key=thread_keys[item.key],
            category=decision.category,
            level=decision.level,
            platform=item.platform,
            lang=decision.lang or item.lang,
        )
        for item, decision in zip(items, decisions, strict=True)
    ]


def _relevel_grown(brand, existing, first_of_key, authors, *, now, historic: bool) -> None:
    """Classify again the known comments whose reach grew, and escalate those that turned red
    (unless the batch is history)."""
    grown = [
        comment
        for key, comment in existing.items()
        if counts_raise(
            comment,
            likes=first_of_key[key].likes,
            shares=first_of_key[key].shares,
            author_followers=first_of_key[key].author_followers,
        )
    ]
    comments_relevel(brand=brand, comments=grown, now=now, authors=authors, escalate=not historic)


def counts_raise(comment: Comment, *, likes: int, shares: int, author_followers: int) -> bool:
    """Raise the comment's counts to those reported, never lower them; True when one grew.

    Counts only grow on the platforms: a lower one is a late retry, and must not un-red a
    comment."""
    grew = likes > comment.likes or shares > comment.shares
    grew = grew or author_followers > comment.author_followers
    comment.likes = max(comment.likes, likes)
    comment.shares = max(comment.shares, shares)
    comment.author_followers = max(comment.author_followers, author_followers)
    return grew


_RELEVEL_FIELDS = [
    "likes",
    "shares",
    "author_followers",
    "category",
    "level",
    "level_rank",
    "confidence",
    "reasons",
    "model_version",
    "uncertain",
]


def comments_relevel(
    *,
    brand: Brand,
    comments: list[Comment],
    now,
    authors: dict[tuple[str, str], "_Author"] | None = None,
    never_lower: bool = False,
    fields: Iterable[str] = (),
    escalate: bool = True,
) -> list[Comment]:
    """Store these comments of ``brand`` as changed on the instances (counts, or the text an
    edit brought), classify them again, and let their cases follow; reds are escalated.

    A person's correction outranks the model: its comments keep their decision. With
    ``never_lower`` a decision of a lower level is not taken (an edit never hides what the desk
    already saw). ``fields`` names other changed columns to save; with ``escalate`` false (a
    history import) a comment turned red is filed in its case and calls nobody. Call with the
    comments locked (``select_for_update``) when two requests may change them at once. Answers
    the comments whose decision changed.
    """
    if not comments:
        return []
    known = {author.pk for author in (authors or {}).values()}
    unknown = [c for c in comments if c.author_id not in known]
    if unknown:  # a client resent a comment under another handle, or no batch came with it
        authors = {**(authors or {}), **_authors_of(unknown, now=now)}
    assert authors is not None
    handles = _handles_of(comments, authors)
    automatic = [c for c in comments if not c.classified_by_human]
    items = [_stored_item(c, handles[c.author_id]) for c in automatic]
    decisions = _classify(brand, items, authors)
    changed = []
    for comment, decision in zip(automatic, decisions, strict=True):
        if (decision.level, decision.category) == (comment.level, comment.category):
            continue
        # The queue sorts on level_rank, most urgent (red) first: a larger rank is calmer.
        if never_lower and LEVEL_RANK[Level(decision.level)] > comment.level_rank:
            continue
        for field, value in _decision_fields(decision).items():
            setattr(comment, field, value)
        changed.append(comment)
    Comment.objects.bulk_update(comments, [*_RELEVEL_FIELDS, *fields])
    classification.record_automatic_decisions([c.pk for c in changed], now=now)
    urgency.comments_raised(
        brand=brand,
        comment_ids=[c.pk for c in changed],
        escalate=[c.pk for c in changed if escalate and c.level == Level.RED],
        now=now,
    )
    return changed


def _handles_of(comments: list[Comment], authors) -> dict[int, str]:
    """Each comment's author handle, as the batch's authors are keyed."""
    by_pk = {author.pk: handle for (_, handle), author in authors.items()}
    return {c.author_id: by_pk[c.author_id] for c in comments}


def _authors_of(comments: list[Comment], *, now) -> dict[tuple[str, str], "_Author"]:
    """The authors of stored comments as classifying them needs: troll flag, overdue case."""
    authors = {
        (platform, handle): _Author(pk, is_troll, followers, display_name)
        for pk, platform, handle, is_troll, followers, display_name in Author.objects.filter(
            pk__in={c.author_id for c in comments}
        ).values_list("pk", "platform", "handle", "is_troll", "followers", "display_name")
    }
    _open_cases(authors, now=now)
    return authors


def _stored_item(comment: Comment, author_handle: str) -> CommentItem:
    """A stored comment as an item to classify: its text and counts as the desk now knows them."""
    return CommentItem(
        platform=comment.platform,
        external_id=comment.external_id,
        text=comment.text,
        author_handle=author_handle,
        author_display_name="",
        author_followers=comment.author_followers,
        likes=comment.likes,
        shares=comment.shares,
        posted_at=comment.posted_at,
        url=comment.url,
        lang=comment.lang,
        in_reply_to=comment.in_reply_to,
        account=comment.account,
        raw={},
    )
