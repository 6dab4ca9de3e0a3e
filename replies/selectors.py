"""Reads for the approvals page."""

from django.db.models import QuerySet

from brands.access import in_brands
from replies.models import Reply, ReplyStatus


def replies_waiting(brand_ids: frozenset[int]) -> QuerySet:
    """Replies waiting for a supervisor in these brands, oldest first (``reply_pending_approval``
    index)."""
    return (
        in_brands(Reply.objects.filter(status=ReplyStatus.PENDING_APPROVAL), brand_ids)
        .select_related("case__author", "author", "brand")
        .order_by("submitted_at", "id")
    )
