"""Periods as people name them: whole days in the brand's time zone, cut into hours, days or
weeks that stay true across a daylight-saving change.

A local day is not 24 hours: the day a zone falls back has 25, the day it springs forward 23,
and in some zones (America/Santiago) the day that springs forward has no midnight at all. So a
period is bounded by the first instant of its first day and of the day after its last one, and
hour buckets stay UTC hours (two of them read "23:00" on the day that falls back; their offsets
tell them apart) while day and week buckets are local dates.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

HOUR = timedelta(hours=1)
#: The longest period a report reads, and the longest one cut into hours.
MAX_DAYS = 400
MAX_HOURLY_DAYS = 31


class Bucket(models.TextChoices):
    HOUR = "hour", _("Hour")
    DAY = "day", _("Day")
    WEEK = "week", _("Week")


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``zone``, in UTC. A midnight the zone skips (clocks
    jump from 00:00 to 01:00) reads with the offset before the jump, which is the instant the
    day began."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date  # inclusive
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return day_start(self.first_day, self.zone)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return day_start(self.last_day + timedelta(days=1), self.zone)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def buckets(self, bucket: str) -> list:
        """Every bucket of the period in order, empty ones too: UTC hours (aware datetimes),
        local dates, or the Mondays of the weeks it touches."""
        if bucket == Bucket.HOUR:
            count = int((self.end - self.start) / HOUR)
            return [self.start + n * HOUR for n in range(count)]
        if bucket == Bucket.DAY:
            return [self.first_day + timedelta(days=n) for n in range(self.days)]
        monday = week_of(self.first_day)
        weeks = (week_of(self.last_day) - monday).days // 7 + 1
        return [monday + timedelta(weeks=n) for n in range(weeks)]

    def label(self, key) -> str:
        """A bucket as the page shows it; an hour with its offset, so the two 23:00s of a
        fall-back night read differently."""
        if isinstance(key, datetime):
            return key.astimezone(self.zone).strftime("%Y-%m-%d %H:%M %z")
        return key.isoformat()


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def zone_of(time_zones: set[str]) -> ZoneInfo:
    """The zone a report of these brands reads in: theirs when they share one, the desk's
    otherwise (a person's brands together may straddle zones; one must draw the days)."""
    if len(time_zones) == 1:
        return ZoneInfo(next(iter(time_zones)))
    return ZoneInfo(settings.TIME_ZONE)


def today_in(zone: ZoneInfo, *, now: datetime) -> date:
    return now.astimezone(zone).date()
