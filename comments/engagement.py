"""Engagement reported after a comment arrived: likes, shares and the author's followers grow.

A client reports the counts of comments the desk already has, without their text. Counts only
grow (the larger of the stored and the reported count is kept), so a late retry carrying an
older, lower count changes nothing. A comment whose counts grew is classified again through
intake's rule (``intake.comments_relevel``): its case follows, and one that crossed a reach
threshold turns red and is escalated.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Required

from django.db import transaction
from django.utils import timezone
from pydantic import AfterValidator, ConfigDict, TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from typing_extensions import TypedDict

from brands.models import Brand
from comments import intake
from comments.models import Author, Comment
from comments.validation import (
    PLATFORMS,
    Handle,
    IngestValidationError,
    ItemError,
    error_message,
)
from core.bulk import rows_by_keys
from core.inputs import Count

COUNT_FIELDS = ("likes", "shares", "author_followers")


@dataclass(frozen=True, slots=True)
class EngagementUpdate:
    platform: str
    external_id: str
    likes: int = 0
    shares: int = 0
    author_followers: int = 0

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.external_id)


@dataclass(frozen=True, slots=True)
class EngagementResult:
    index: int
    platform: str
    external_id: str
    found: bool
    id: int | None = None
    likes: int = 0
    shares: int = 0
    author_followers: int = 0
    level: str = ""
    category: str = ""
    changed: bool = False

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "platform": self.platform,
            "external_id": self.external_id,
            "found": self.found,
            "id": self.id,
            "likes": self.likes,
            "shares": self.shares,
            "author_followers": self.author_followers,
            "level": self.level,
            "category": self.category,
            "changed": self.changed,
        }


def _some_count(counts: dict) -> dict:
    if not any(field in counts for field in COUNT_FIELDS):
        raise ValueError("must report at least one of likes, shares, author_followers")
    return counts


_STRICT = ConfigDict(strict=True, extra="forbid")


class _Counts(TypedDict, total=False):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    likes: Count
    shares: Count
    author_followers: Count


class _Keyed(_Counts, total=False):
    platform: Required[Literal[PLATFORMS]]  # type: ignore[valid-type]
    external_id: Required[Handle]


_one = TypeAdapter(Annotated[_Counts, AfterValidator(_some_count)])
_batch = TypeAdapter(list[Annotated[_Keyed, AfterValidator(_some_count)]])


def updates_validate(payload: Any, *, key: tuple[str, str] | None = None) -> list[EngagementUpdate]:
    """The counts of one comment (``key`` from the URL) or a list of keyed counts, or
    IngestValidationError naming each bad field (with its index in a list)."""
    try:
        if key is not None:
            counts = _one.validate_python(payload)
            return [EngagementUpdate(key[0], key[1], **_counts_of(counts))]
        return [
            EngagementUpdate(update["platform"], update["external_id"], **_counts_of(update))
            for update in _batch.validate_python(payload)
        ]
    except PydanticValidationError as error:
        raise IngestValidationError(
            [_error(e, batch=key is None) for e in error.errors(include_url=False)]
        ) from None


def _counts_of(decoded: Mapping) -> dict[str, int]:
    return {field: decoded[field] for field in COUNT_FIELDS if field in decoded}


def _error(error, *, batch: bool) -> ItemError:
    loc = list(error["loc"])
    index = loc.pop(0) if batch and loc and isinstance(loc[0], int) else None
    field = next((part for part in loc if isinstance(part, str)), None)
    message = error["msg"].removeprefix("Value error, ") if error["type"] == "value_error" else None
    return ItemError(index, field, message or error_message(error))


def engagement_report(*, brand: Brand, updates: list[EngagementUpdate]) -> list[EngagementResult]:
    """Raise the counts of the brand's comments named in ``updates``; one it does not have is
    answered ``found=False`` and holds back none of the others.

    The comments are locked in id order while their counts are compared and written, so two
    reports of the same comment at once cannot write the smaller count last.
    """
    now = timezone.now()
    keys = {update.key for update in updates}
    with transaction.atomic():
        ids = [
            pk
            for (pk,) in rows_by_keys(
                Comment, ("platform", "external_id"), keys, returning=("id",), brand_id=brand.pk
            )
        ]
        comments = {
            (c.platform, c.external_id): c
            for c in Comment.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .order_by("pk")
        }
        grown: dict[int, Comment] = {}
        for update in updates:
            comment = comments.get(update.key)
            if comment is not None and intake.counts_raise(
                comment,
                likes=update.likes,
                shares=update.shares,
                author_followers=update.author_followers,
            ):
                grown[comment.pk] = comment
        changed = intake.comments_relevel(brand=brand, comments=list(grown.values()), now=now)
        _authors_followers_raise(list(grown.values()))
    changed_ids = {c.pk for c in changed}
    return [
        _result(index, update, comments.get(update.key), changed_ids)
        for index, update in enumerate(updates)
    ]


def _authors_followers_raise(comments: list[Comment]) -> None:
    """The customer's follower count follows the largest one reported, as their page shows it."""
    most: dict[int, int] = {}
    for comment in comments:
        most[comment.author_id] = max(most.get(comment.author_id, 0), comment.author_followers)
    for author_id, followers in sorted(most.items()):
        Author.objects.filter(pk=author_id, followers__lt=followers).update(
            followers=followers, updated_at=timezone.now()
        )


def _result(
    index: int, update: EngagementUpdate, comment: Comment | None, changed_ids
) -> EngagementResult:
    if comment is None:
        return EngagementResult(index, update.platform, update.external_id, found=False)
    return EngagementResult(
        index,
        update.platform,
        update.external_id,
        found=True,
        id=comment.pk,
        likes=comment.likes,
        shares=comment.shares,
        author_followers=comment.author_followers,
        level=comment.level,
        category=comment.category,
        changed=comment.pk in changed_ids,
    )
