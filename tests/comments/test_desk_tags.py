from datetime import datetime, timedelta

from django.utils import timezone, translation

from comments.templatetags.desk import clock, deadline, is_past


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


def _words(text: str) -> str:
    return text.replace("\xa0", " ")  # Django keeps a count and its unit together


def test_a_deadline_ahead_says_in_how_long_and_one_behind_by_how_much():
    now = timezone.now()
    ahead, behind = now + timedelta(minutes=14, seconds=30), now - timedelta(minutes=5, seconds=30)
    with translation.override("en"):
        assert _words(deadline(ahead)) == "in 14 minutes"
        assert _words(deadline(behind)) == "overdue by 5 minutes"
    with translation.override("es"):
        assert _words(deadline(ahead)) == "en 14 minutos"
        assert _words(deadline(behind)) == "vencido hace 5 minutos"
    assert is_past(behind) and not is_past(ahead) and not is_past(None)
