"""Each negative comment's subjects, kept as ``SubjectMention`` rows for the top complaints.

A comment's subjects are ``classifier.ripple.subject_keys`` of its ripple signature: the
signature intake stored for the ripple detector (``Comment.ripple_terms``), or, for a comment
that was not negative when it arrived (a person corrected it since), the signature of its text,
computed once here. Nothing is tokenised when a report is read.

A comment's rows are a function of the comment alone, so they are rewritten whole: the rollup
pass rewrites those of the comments whose classification changed (the only way a comment's
category or level change), ``rebuild_rollups`` those of every comment, and both write the same
rows. Call either under the rollup pass's lock (``rollups``), which keeps them from interleaving.
"""

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from django.db.models import Case, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast

from classifier.memo import TEXTS, BoundedCache
from classifier.ripple import subject_keys
from classifier.signature import ripple_signature
from comments.models import Comment
from core.bulk import fetch_values, insert_rows
from core.taxonomy import NEGATIVE_CATEGORIES
from reports.models import SubjectMention

#: Comments read (and their mentions written) at a time.
CHUNK = 5_000

_KEYS = BoundedCache(TEXTS, initial={"[]": ()})


def _keys_of(terms_text: str | None, text: str) -> tuple[str, ...]:
    """The subject keys of a comment from its stored signature (as JSON text, memoised: most
    repeat) or, when none was stored, from its text."""
    if terms_text is None or terms_text == "null":
        return subject_keys(ripple_signature(text))
    keys = _KEYS.get(terms_text)
    if keys is None:
        keys = _KEYS.keep(terms_text, subject_keys(tuple(json.loads(terms_text))))
    return keys


#: No signature stored: SQL NULL, or the JSON null a bulk insert writes for None.
_UNSIGNED = Q(ripple_terms__isnull=True) | Q(ripple_terms=None)


def _rows(comments: QuerySet[Comment]) -> list[dict]:
    """The mention rows of these comments (only the negative ones have any)."""
    read = fetch_values(
        comments.filter(category__in=NEGATIVE_CATEGORIES)
        .annotate(
            terms_text=Cast("ripple_terms", TextField()),
            # The text is read only where no signature was stored.
            unsigned_text=Case(
                When(_UNSIGNED, then="text"), default=Value(""), output_field=TextField()
            ),
        )
        .values_list(
            "pk",
            "brand_id",
            "posted_at",
            "author_id",
            "platform",
            "category",
            "level",
            "terms_text",
            "unsigned_text",
        )
    )
    return [
        {
            "comment_id": pk,
            "key": key,
            "brand_id": brand_id,
            "posted_at": posted_at,
            "author_id": author_id,
            "platform": platform,
            "category": category,
            "level": level,
        }
        for pk, brand_id, posted_at, author_id, platform, category, level, terms, text in read
        for key in _keys_of(terms, text or "")
    ]


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def mentions_refresh(comment_ids: Iterable[int]) -> int:
    """Rewrite the mentions of these comments from what they are now; answers the rows
    written."""
    ids = sorted(set(comment_ids))
    written = 0
    for chunk in _chunks(ids):
        SubjectMention.objects.filter(comment_id__in=chunk).delete()
        rows = _rows(Comment.objects.filter(pk__in=chunk))
        insert_rows(SubjectMention, rows)
        written += len(rows)
    return written


def mentions_rebuild(*, brand_ids: Sequence[int], since: datetime | None = None) -> int:
    """Rewrite the mentions of every comment of these brands (posted from ``since`` on, when
    given); answers the rows written."""
    stale = SubjectMention.objects.filter(brand_id__in=sorted(brand_ids))
    comments = Comment.objects.filter(brand_id__in=sorted(brand_ids))
    if since is not None:
        stale = stale.filter(posted_at__gte=since)
        comments = comments.filter(posted_at__gte=since)
    stale.delete()
    written = 0
    last = 0
    while True:
        ids = list(
            comments.filter(pk__gt=last, category__in=NEGATIVE_CATEGORIES)
            .order_by("pk")
            .values_list("pk", flat=True)[:CHUNK]
        )
        if not ids:
            return written
        rows = _rows(Comment.objects.filter(pk__in=ids))
        insert_rows(SubjectMention, rows)
        written += len(rows)
        last = ids[-1]
