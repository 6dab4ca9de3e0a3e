from datetime import datetime, timedelta

from django.utils import timezone, translation

from classifier.ripple import Ripple
from comments.templatetags.desk import clock, deadline, is_past, reason_in_words


def test_a_moment_of_today_shows_as_its_time_alone():
    now = timezone.localtime()
    assert clock(now) == f"{now:%H:%M}"


def test_a_moment_of_another_day_shows_its_day_too():
    march = datetime(2026, 3, 5, 9, 7, tzinfo=timezone.get_current_timezone())
    assert clock(march) == "5 Mar 09:07"
    yesterday = timezone.localtime() - timedelta(days=1)
    with translation.override("en"):
        assert clock(yesterday) == f"{yesterday.day} {yesterday:%b} {yesterday:%H:%M}"


def test_a_timeline_keeps_its_seconds_and_its_day():
    now = timezone.localtime()
    assert clock(now, "seconds") == f"{now:%H:%M:%S}"
    march = datetime(2026, 3, 5, 9, 7, 30, tzinfo=timezone.get_current_timezone())
    assert clock(march, "seconds") == "5 Mar 09:07:30"


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
    assert is_past(behind)
    assert not is_past(ahead)
    assert not is_past(None)


def _ripple_reason(cluster_id: int) -> dict:
    """The evidence as the ripple detector writes it, from the detector itself."""
    start = datetime(2026, 3, 5, 9, 0, tzinfo=timezone.get_current_timezone())
    ripple = Ripple(
        number=1,
        subject=("~double_charge", "tarjet"),
        members=(1, 2, 3),
        new_members=(3,),
        authors=("@a", "@b", "@c"),
        first_at=start,
        last_at=start + timedelta(minutes=5),
        known_cluster=None,
    )
    return {"signal": "ripple", "evidence": ripple.reason(cluster_id)}


def test_a_ripple_reason_is_said_in_the_pages_language_with_its_concepts_named():
    with translation.override("es"):
        assert reason_in_words(_ripple_reason(41)) == (
            "onda #41: 3 autores en 5 min, 3 comentarios sobre cobro doble, tarjet"
        )
    with translation.override("en"):
        assert reason_in_words(_ripple_reason(41)) == (
            "cluster #41: 3 authors in 5 min, 3 comments about double charge, tarjet"
        )


def test_the_models_reason_says_how_sure_and_from_which_words():
    reason = {"signal": "model", "evidence": "pqr p=0.99: tarjeta, cobro"}
    with translation.override("es"):
        assert reason_in_words(reason) == "seguro al 99 %, por las palabras tarjeta, cobro"
        assert reason_in_words({"signal": "model", "evidence": "pqr p=0.5"}) == "seguro al 50 %"


def test_reasons_quoting_the_comment_and_unknown_shapes_are_left_as_stored():
    assert reason_in_words({"signal": "authority_mention", "evidence": "PROFECO"}) == ""
    assert reason_in_words({"signal": "ripple", "evidence": "something else"}) == ""
