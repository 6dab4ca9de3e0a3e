"""Reads for the approvals page."""

from django.db.models import Prefetch, QuerySet

from brands.access import in_brands
from replies.models import Reply, ReplyStatus, ReplyVersion


def versions_prefetch() -> Prefetch:
    """A page that shows replies shows their history (``replies.history.versions_shown``): one
    query for every reply's versions and their authors."""
    return Prefetch("versions", queryset=ReplyVersion.objects.select_related("author"))


def replies_waiting(brand_ids: frozenset[int]) -> QuerySet:
    """Replies waiting for a supervisor in these brands, oldest first (``reply_pending_approval``
    index)."""
    return (
        in_brands(Reply.objects.filter(status=ReplyStatus.PENDING_APPROVAL), brand_ids)
        .select_related("case__author", "author", "brand")
        .prefetch_related(versions_prefetch())
        .order_by("submitted_at", "id")
    )
