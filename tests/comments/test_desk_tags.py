from datetime import datetime, timedelta

from django.utils import timezone, translation

from comments.templatetags.desk import clock


def test_a_moment_of_today_shows_as_its_time_alone():
    now = timezone.localtime()
    assert clock(now) == f"{now:%H:%M}"


def test_a_moment_of_another_day_shows_its_day_too():
    march = datetime(2026, 3, 5, 9, 7, tzinfo=timezone.get_current_timezone())
    assert clock(march) == "5 Mar 09:07"
    yesterday = timezone.localtime() - timedelta(days=1)
    with translation.override("en"):
        assert clock(yesterday) == f"{yesterday.day} {yesterday:%b} {yesterday:%H:%M}"


def test_no_moment_shows_nothing():
    assert clock(None) == ""
