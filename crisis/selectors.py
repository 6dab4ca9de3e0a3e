"""What the crisis pages read: a brand's crises, the comments of one, and its live spread."""

from datetime import timedelta

import django_filters
from django.db import models
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMinute
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brands.access import in_brands
from brands.models import Membership
from cases.models import Case
from comments.models import Comment
from core.filters import TimestampFilter
from crisis.models import (
    MAX_LEVEL,
    Crisis,
    CrisisNotification,
    CrisisStatus,
    Escalation,
    Severity,
)

SPREAD_MINUTES = 60


class CrisisFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CrisisStatus.choices, label=_("Status"))
    since = TimestampFilter(field_name="opened_at", lookup_expr="gte", label=_("Opened since"))

    class Meta:
        model = Crisis
        fields = ["status", "since"]


def crises_for(brand_ids: frozenset[int]) -> QuerySet[Crisis]:
    return in_brands(
        Crisis.objects.select_related("brand", "owner", "acknowledged_by"), brand_ids
    ).order_by("-opened_at")


def crises_by_urgency(brand_ids: frozenset[int]) -> QuerySet[Crisis]:
    """The committee's list: crises still open before the closed, critical before high, the
    newest first within each; newest-first alone put a fresh high above older criticals."""
    return (
        crises_for(brand_ids)
        .annotate(
            is_closed=models.Case(models.When(status=CrisisStatus.CLOSED, then=1), default=0),
            severity_rank=models.Case(models.When(severity=Severity.CRITICAL, then=0), default=1),
        )
        .order_by("is_closed", "severity_rank", "-opened_at")
    )


def access_crisis(pk: int, brand_ids: frozenset[int]) -> Crisis:
    """A crisis of one of ``brand_ids``; another brand's id is simply not found."""
    crisis = crises_for(brand_ids).filter(pk=pk).first()
    if crisis is None:
        raise Http404
    return crisis


def related_comments(crisis: Crisis) -> QuerySet[Comment]:
    """The crisis's escalated reds and, for a ripple's crisis, every member of the ripple.

    Gathered by id, each side through its own index: one filter over both sides (an OR across
    the escalation's join) read every comment of the brand, for each crisis on each poll."""
    ids = Escalation.objects.filter(crisis=crisis).values("comment_id")
    if crisis.ripple_id:
        ids = ids.union(Comment.objects.filter(ripple_id=crisis.ripple_id).values("pk"))
    return Comment.objects.filter(pk__in=ids, brand_id=crisis.brand_id)


def related_cases(crisis: Crisis) -> QuerySet[Case]:
    comment_ids = related_comments(crisis).values("pk")
    return (
        Case.objects.filter(comments__in=comment_ids)
        .distinct()
        .select_related("author", "assignee")
        .order_by("level_rank", "response_due_at")
    )


def spread(crisis: Crisis, *, now=None) -> dict:
    """The live picture: new related comments per minute over the last hour (oldest first),
    and the totals of the whole crisis: comments, distinct authors, reach, platforms."""
    now = (now or timezone.now()).replace(second=0, microsecond=0) + timedelta(minutes=1)
    start = now - timedelta(minutes=SPREAD_MINUTES)
    comments = related_comments(crisis)
    per_minute = dict(
        Comment.objects.filter(
            pk__in=comments.values("pk"), posted_at__gte=start, posted_at__lt=now
        )
        .annotate(minute=TruncMinute("posted_at"))
        .values("minute")
        .annotate(n=Count("id"))
        .values_list("minute", "n")
    )
    minutes = [start + timedelta(minutes=i) for i in range(SPREAD_MINUTES)]
    counts = [per_minute.get(m, 0) for m in minutes]
    return {
        "minutes": minutes,
        "counts": counts,
        "last_hour": sum(counts),
        **totals(crisis),
        "bars": _bars(counts),
    }


def totals(crisis: Crisis) -> dict:
    """The whole crisis in figures: related comments, distinct authors, reach, platforms."""
    comments = related_comments(crisis)
    figures = Comment.objects.filter(pk__in=comments.values("pk")).aggregate(
        comments=Count("id"), authors=Count("author", distinct=True), reach=Sum("author_followers")
    )
    platforms = sorted(
        Comment.objects.filter(pk__in=comments.values("pk"))
        .values_list("platform", flat=True)
        .distinct()
    )
    return {
        "comments": figures["comments"],
        "authors": figures["authors"],
        "reach": figures["reach"] or 0,
        "platforms": platforms,
    }


def _bars(counts: list[int], *, width: int = 600, height: int = 120) -> list[dict]:
    """Inline SVG bar geometry, computed here so the page needs no chart library."""
    top = max(counts) or 1
    step = width / len(counts)
    return [
        {
            "x": round(i * step, 1),
            "w": round(step - 1, 1),
            "h": round(n / top * (height - 4), 1),
            "y": round(height - n / top * (height - 4), 1),
            "n": n,
        }
        for i, n in enumerate(counts)
    ]


def committee_roster(crisis: Crisis) -> list[dict]:
    """The brand's committee by contact level, with channels and whether each was told and
    acknowledged this crisis: who to phone when the room is quiet."""
    notices = {n.user_id: n for n in CrisisNotification.objects.filter(crisis=crisis)}
    seats = (
        Membership.objects.filter(brand_id=crisis.brand_id, user__is_active=True)
        .filter(Q(committee__isnull=False) | Q(role="crisis_committee"))
        .select_related("user", "committee")
        .order_by("user__username")
    )
    roster = []
    for membership in seats:
        seat = getattr(membership, "committee", None)
        notice = notices.get(membership.user_id)
        roster.append(
            {
                "user": membership.user,
                "seat": seat,
                "level": seat.contact_level if seat else 1,
                "told_at": notice.sent_at if notice else None,
                "acknowledged_at": notice.acknowledged_at if notice else None,
                # Called, but the mail has not reached them yet: retried, or given up.
                "mail_error": notice.last_error if notice and not notice.sent_at else "",
                "given_up": bool(notice and notice.failed_at),
            }
        )
    return sorted(roster, key=lambda r: (min(r["level"], MAX_LEVEL), r["user"].username))
