"""Each overview figure against numbers worked out by hand on a small brand in Santiago de
Chile, whose clocks fell back on 2024-04-07 (00:00 -03 became 23:00 -04 the day before) and
sprang forward on 2024-09-08 (00:00 -04 became 01:00 -03: that day has no midnight)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from cases.models import CaseStatus, FollowUp
from core.taxonomy import Category, Level
from reports import figures, rollups
from reports.periods import Bucket, Period
from tests.factories import AuthorFactory, BrandFactory, CaseFactory, CommentFactory

pytestmark = pytest.mark.django_db

SANTIAGO = ZoneInfo("America/Santiago")
T0 = datetime(2024, 4, 5, 15, 0, tzinfo=UTC)  # Friday 12:00 in Santiago
MIN = timedelta(minutes=1)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def chile(db):
    return BrandFactory(name="Cobre", slug="cobre", time_zone="America/Santiago")


def _comment(brand, at: str, level, category=Category.PQR, platform="twitter"):
    author = AuthorFactory(brand=brand, platform=platform)
    return CommentFactory(
        brand=brand, author=author, posted_at=_utc(at), level=level, category=category
    )


@pytest.fixture
def comments(chile):
    _comment(chile, "2024-04-07T02:30", Level.RED)  # Sat 6th 23:30 -03
    _comment(chile, "2024-04-07T03:30", Level.YELLOW)  # Sat 6th 23:30 -04, an hour later
    _comment(chile, "2024-04-07T04:30", Level.GREEN, Category.OTHER, "facebook")  # Sun 7th
    _comment(chile, "2024-04-05T15:00", Level.YELLOW, Category.INSULT)  # Fri 5th noon
    other = BrandFactory(time_zone="America/Santiago")
    _comment(other, "2024-04-06T15:00", Level.RED)  # another brand: never counted
    rollups.rollups_rebuild(brand_ids=[chile.pk, other.pk])


def _scope(brand, first, last, bucket=Bucket.DAY, **filters) -> figures.Scope:
    return figures.Scope(
        brand_ids=frozenset({brand.pk}),
        period=Period(first, last, SANTIAGO),
        bucket=bucket,
        **filters,
    )


def test_volume_by_local_day_counts_the_25_hour_day_whole(chile, comments):
    volume = figures.volume(_scope(chile, date(2024, 4, 5), date(2024, 4, 7)))
    assert volume["buckets"] == ["2024-04-05", "2024-04-06", "2024-04-07"]
    assert volume["levels"] == {"red": [0, 1, 0], "yellow": [1, 1, 0], "green": [0, 0, 1]}
    assert volume["categories"] == {
        "pqr": [0, 2, 0],
        "insult": [1, 0, 0],
        "high_level": [0, 0, 0],
        "other": [0, 0, 1],
    }
    assert volume["totals"] == [1, 2, 1]
    assert volume["red_share"] == [0.0, 0.5, 0.0]
    assert volume["summary"] == {
        "comments": 4,
        "red": 1,
        "yellow": 2,
        "green": 1,
        "red_share": 0.25,
        "yellow_share": 0.5,
    }


def test_hour_buckets_tell_apart_the_two_23_oclocks_of_the_night_clocks_fall_back(chile, comments):
    volume = figures.volume(_scope(chile, date(2024, 4, 6), date(2024, 4, 6), Bucket.HOUR))
    assert len(volume["buckets"]) == 25
    assert volume["buckets"][0] == "2024-04-06 00:00 -0300"
    assert volume["buckets"][-2:] == ["2024-04-06 23:00 -0300", "2024-04-06 23:00 -0400"]
    assert volume["levels"]["red"][-2:] == [1, 0]
    assert volume["levels"]["yellow"][-2:] == [0, 1]
    assert volume["totals"].count(0) == 23


def test_week_buckets_start_on_the_local_monday(chile, comments):
    volume = figures.volume(_scope(chile, date(2024, 4, 5), date(2024, 4, 8), Bucket.WEEK))
    assert volume["buckets"] == ["2024-04-01", "2024-04-08"]
    assert volume["totals"] == [4, 0]


def test_the_day_without_a_midnight_starts_when_the_clocks_jump(chile):
    _comment(chile, "2024-09-08T03:30", Level.RED)  # Sat 7th 23:30 -04
    _comment(chile, "2024-09-08T04:30", Level.GREEN)  # Sun 8th 01:30 -03
    rollups.rollups_rebuild(brand_ids=[chile.pk])
    volume = figures.volume(_scope(chile, date(2024, 9, 8), date(2024, 9, 8), Bucket.HOUR))
    assert len(volume["buckets"]) == 23
    assert volume["buckets"][0] == "2024-09-08 01:00 -0300"
    assert volume["summary"]["comments"] == 1
    assert volume["summary"]["green"] == 1


def test_filters_narrow_every_count(chile, comments):
    scope = _scope(chile, date(2024, 4, 5), date(2024, 4, 7), platform="facebook")
    assert figures.volume(scope)["totals"] == [0, 0, 1]
    scope = _scope(chile, date(2024, 4, 5), date(2024, 4, 7), level=Level.YELLOW)
    assert figures.volume(scope)["summary"]["yellow_share"] == 1.0


def test_an_empty_period_has_zeros_and_no_rates(chile, comments):
    overview = figures.overview(
        _scope(chile, date(2024, 5, 1), date(2024, 5, 7)), now=T0 + timedelta(days=30)
    )
    assert overview["volume"]["totals"] == [0] * 7
    assert overview["volume"]["summary"]["red_share"] is None
    assert overview["clocks"]["all"]["response"] == {"median": None, "p90": None}
    assert overview["clocks"]["all"]["response_compliance"] is None
    assert overview["satisfaction"]["satisfaction_rate"] is None
    assert overview["people"] == []


@pytest.fixture
def cases(chile):
    """Five cases opened on Friday the 5th (red deadlines: 15 min to answer, 240 to resolve;
    yellow: 60 and 1440), and one old green case still open."""
    people = get_user_model().objects
    alice, sam = people.create_user("ana"), people.create_user("samuel")

    def case(level, opened, **fields):
        return CaseFactory(brand=chile, level=level, opened_at=opened, **fields)

    k1 = case(
        Level.RED,
        T0,
        assignee=alice,
        status=CaseStatus.RESOLVED,
        responded_at=T0 + 10 * MIN,
        resolved_at=T0 + 200 * MIN,
    )
    t2 = T0 + timedelta(hours=1)
    k2 = case(
        Level.RED,
        t2,
        assignee=alice,
        status=CaseStatus.RESOLVED,
        responded_at=t2 + 20 * MIN,
        resolved_at=t2 + 300 * MIN,
        paused_seconds=3600,
        resolution_due_at=t2 + 300 * MIN,  # 240 minutes and the hour it waited
    )
    t3 = T0 + timedelta(hours=2)
    case(Level.YELLOW, t3, assignee=sam, response_breached_at=t3 + 60 * MIN)
    t4 = T0 + timedelta(hours=3)
    case(Level.YELLOW, t4, responded_at=t4 + 30 * MIN)
    t5 = T0 + timedelta(hours=5)
    case(Level.YELLOW, t5, responded_at=t5 + 5 * MIN)
    case(Level.GREEN, datetime(2024, 4, 1, tzinfo=UTC))
    FollowUp.objects.create(case=k1, brand=chile, number=1, due_at=T0, satisfied=True)
    FollowUp.objects.create(case=k2, brand=chile, number=1, due_at=T0, satisfied=False)
    FollowUp.objects.create(
        case=k2, brand=chile, number=2, due_at=T0, closes_case=True, prompted_at=T0
    )
    rollups.rollups_rebuild(brand_ids=[chile.pk])


FRIDAY = (date(2024, 4, 5), date(2024, 4, 5))


def test_response_and_resolution_times_and_compliance_per_level(chile, cases):
    clocks = figures.clock_times(_scope(chile, *FRIDAY))
    red, yellow, green = (clocks["levels"][lv] for lv in ("red", "yellow", "green"))
    assert red["response"] == {"median": 900.0, "p90": 1140.0}
    assert red["resolution"] == {"median": 13200.0, "p90": 14160.0}
    assert (red["response_compliance"], red["resolution_compliance"]) == (0.5, 1.0)
    assert yellow["response"] == {"median": 1050.0, "p90": 1650.0}
    assert yellow["resolution"] == {"median": None, "p90": None}
    assert (yellow["response_compliance"], yellow["resolution_compliance"]) == (0.6667, None)
    assert green["opened"] == 0
    assert clocks["all"]["opened"] == 5
    assert clocks["all"]["response"] == {"median": 900.0, "p90": 1620.0}
    assert clocks["all"]["response_compliance"] == 0.6


def test_satisfaction_and_no_answer_rates_from_the_follow_ups(chile, cases):
    assert figures.satisfaction(_scope(chile, *FRIDAY)) == {
        "satisfied": 1,
        "unsatisfied": 1,
        "unanswered": 1,
        "satisfaction_rate": 0.5,
        "no_answer_rate": 0.3333,
    }


def test_cases_per_person_with_their_times(chile, cases):
    people = figures.cases_per_person(_scope(chile, *FRIDAY))
    assert [(p["person"], p["cases"], p["open"], p["resolved"]) for p in people] == [
        ("ana", 2, 0, 2),
        ("samuel", 1, 1, 0),
        (None, 2, 2, 0),
    ]
    assert [p["response_compliance"] for p in people] == [0.5, 0.0, 1.0]
    assert [p["response"]["median"] for p in people] == [900.0, None, 1050.0]


def test_open_cases_by_level_and_age_whatever_the_period(chile, cases):
    opened = figures.open_cases(_scope(chile, *FRIDAY), now=T0 + timedelta(hours=5, minutes=30))
    assert opened["levels"] == {
        "red": [0, 0, 0, 0, 0],
        "yellow": [1, 2, 0, 0, 0],
        "green": [0, 0, 0, 0, 1],
    }
    assert opened["total"] == 4
