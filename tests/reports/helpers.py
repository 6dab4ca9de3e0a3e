"""Facts for the reports' tests: comments posted on days the default period covers."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from brands.models import Brand
from core.taxonomy import Level
from tests.factories import AuthorFactory, CommentFactory


def posted(days_ago: int = 0) -> datetime:
    """Half past midnight, some days ago, in the zone of the personas' brands (the default):
    always past, and inside the default period of the last seven local days. Its ``date()`` is
    the local day."""
    zone = ZoneInfo(Brand._meta.get_field("time_zone").get_default())
    today = timezone.now().astimezone(zone).date()
    return datetime.combine(today - timedelta(days=days_ago), time(0, 30), tzinfo=zone)


def comment(brand, level=Level.GREEN, days_ago=0, **fields):
    author = AuthorFactory(brand=brand)
    return CommentFactory(
        brand=brand, author=author, level=level, posted_at=posted(days_ago), **fields
    )
