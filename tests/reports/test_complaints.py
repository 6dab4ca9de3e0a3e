"""The top complaints against numbers worked out by hand, on a small brand in Santiago de Chile
(its clocks fell back on 2024-04-07, so the previous period of the week asked has a 25-hour
day), with the rising flag, the names and merges supervisors give, and their audit."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from brands.grants import grant_role
from brands.roles import Role
from cases.models import AuditEvent, CaseStatus
from comments.models import Ripple
from core.errors import DomainError
from core.taxonomy import Category, Level
from reports import complaints, rollups
from reports.figures import Scope
from reports.models import ComplaintSubject, SubjectMention
from reports.periods import Period
from tests.factories import AuthorFactory, BrandFactory, CaseFactory, CommentFactory

pytestmark = pytest.mark.django_db

SANTIAGO = ZoneInfo("America/Santiago")
#: Long after every period here: each has ended, and is compared by its counts.
LATER = datetime(2024, 6, 1, tzinfo=UTC)
WEEK = (date(2024, 4, 10), date(2024, 4, 16))  # Wednesday to Tuesday, -04 all along

DOUBLE = "me cobraron dos veces la cuota"  # ~double_charge
APP = "la app no abre desde la mañana"  # ~app_down
BOTH = "me cobraron doble la cuota y la app no abre"  # both concepts
CARD = "la tarjeta nueva llego rota y sucia"  # no concept: its stems
DOUBLE_KEY, APP_KEY = "~double_charge", "~app_down"
CARD_KEY = "lleg nuev rot suci tarjet"


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def cobre(db):
    return BrandFactory(name="Cobre", slug="cobre", time_zone="America/Santiago")


@pytest.fixture
def authors(cobre):
    return [AuthorFactory(brand=cobre) for _ in range(6)]


def _say(brand, author, at: str, text: str, **fields):
    return CommentFactory(
        brand=brand, author=author, posted_at=_utc(at), text=text, category=Category.PQR, **fields
    )


@pytest.fixture
def week(cobre, authors):
    """The week asked, 2024-04-10 to 04-16 (00:00 -04 is 04:00 UTC), and the one before."""
    a, b, c, d, e, f = authors
    # This week: six double charges from four people, the first and last at its edges.
    _say(cobre, a, "2024-04-10T04:00", DOUBLE)  # Wed 10th 00:00 -04: the first instant
    _say(cobre, a, "2024-04-11T15:00", DOUBLE)
    _say(cobre, a, "2024-04-12T15:00", DOUBLE)
    _say(cobre, b, "2024-04-12T16:00", DOUBLE)
    _say(cobre, c, "2024-04-13T16:00", DOUBLE, level=Level.YELLOW)
    _say(cobre, d, "2024-04-17T03:59", BOTH)  # Tue 16th 23:59 -04: the last minute
    # … two app failures (one is the comment naming both), a broken card, and what is no
    # complaint at all.
    _say(cobre, e, "2024-04-14T12:00", APP)
    _say(cobre, f, "2024-04-15T12:00", CARD)
    _say(cobre, f, "2024-04-15T13:00", CARD, platform="facebook")
    CommentFactory(brand=cobre, posted_at=_utc("2024-04-12T12:00"), category=Category.OTHER)
    _say(cobre, e, "2024-04-17T04:00", DOUBLE)  # Wed 17th 00:00 -04: the week after
    # The week before (03 to 09, 168 + 1 hours): two double charges, four app failures.
    _say(cobre, b, "2024-04-03T12:00", DOUBLE)
    _say(cobre, c, "2024-04-10T03:59", DOUBLE)  # Tue 9th 23:59 -04
    for author, day in zip((a, b, c, d), ("04", "05", "06", "07"), strict=True):
        _say(cobre, author, f"2024-04-{day}T20:00", APP)
    # Another brand's double charges, in the same week: never counted here.
    other = BrandFactory(time_zone="America/Santiago")
    for _ in range(3):
        _say(other, AuthorFactory(brand=other), "2024-04-12T15:00", DOUBLE)
    rollups.rollups_rebuild(brand_ids=[cobre.pk, other.pk])


def _top(brand, first=WEEK[0], last=WEEK[1], *, now=LATER, limit=10, **filters) -> dict:
    scope = Scope(brand_ids=frozenset({brand.pk}), period=Period(first, last, SANTIAGO), **filters)
    return complaints.top_complaints(scope, now=now, limit=limit)


def _by_key(top: dict) -> dict[str, dict]:
    return {" | ".join(s["keys"]): s for s in top["subjects"]}


def test_the_weeks_subjects_with_their_counts_authors_and_trend(cobre, week):
    top = _top(cobre)
    assert top["period"] == {
        "since": "2024-04-10",
        "until": "2024-04-16",
        "time_zone": "America/Santiago",
        "previous_since": "2024-04-03",
        "previous_until": "2024-04-09",
        "running": False,
    }
    assert [s["keys"] for s in top["subjects"]] == [[DOUBLE_KEY], [APP_KEY], [CARD_KEY]]
    double, app, card = top["subjects"]
    assert (double["comments"], double["authors"], double["previous_comments"]) == (6, 4, 2)
    assert (double["trend"], double["change"], double["projected"]) == ("up", 2.0, 6.0)
    assert double["rising"] is True
    assert double["label"] == "cobro doble"  # the concept in words, in Spanish by default
    assert (app["comments"], app["authors"], app["previous_comments"]) == (2, 2, 4)
    assert (app["trend"], app["change"], app["rising"]) == ("down", -0.5, False)
    assert (card["comments"], card["authors"], card["previous_comments"]) == (2, 1, 0)
    assert (card["trend"], card["change"], card["rising"]) == ("new", None, False)
    assert card["label"] == "lleg, nuev, rot, suci, tarjet"
    assert {s["brand"] for s in top["subjects"]} == {"cobre"}


def test_examples_are_the_latest_comments_of_the_period_with_their_authors(cobre, week):
    [double, app, _card] = _top(cobre)["subjects"]
    assert [e["text"] for e in double["examples"]] == [BOTH, DOUBLE, DOUBLE]
    assert [e["posted_at"] for e in double["examples"]] == [
        _utc("2024-04-17T03:59"),
        _utc("2024-04-13T16:00"),
        _utc("2024-04-12T16:00"),
    ]
    assert double["examples"][1]["level"] == "yellow"
    assert [e["text"] for e in app["examples"]] == [BOTH, APP]
    assert all(e["author"].startswith("@author") for e in double["examples"])


def test_filters_narrow_every_figure(cobre, week):
    subjects = _by_key(_top(cobre, level=Level.YELLOW))
    assert list(subjects) == [DOUBLE_KEY]
    assert subjects[DOUBLE_KEY]["comments"] == subjects[DOUBLE_KEY]["authors"] == 1
    facebook = _top(cobre, platform="facebook")["subjects"]
    assert [(s["keys"], s["comments"]) for s in facebook] == [([CARD_KEY], 1)]


def test_a_day_is_bounded_by_its_local_midnights_across_the_fall_back(cobre, week):
    """Sunday 7th against Saturday 6th, the 25-hour day (its 23:00 came twice)."""
    [app] = _top(cobre, date(2024, 4, 7), date(2024, 4, 7))["subjects"]
    assert (app["comments"], app["previous_comments"], app["trend"]) == (1, 1, "flat")
    [double] = _top(cobre, date(2024, 4, 9), date(2024, 4, 9))["subjects"]
    assert double["examples"][0]["posted_at"] == _utc("2024-04-10T03:59")


def test_an_empty_period_lists_nothing(cobre, week):
    top = _top(cobre, date(2024, 5, 1), date(2024, 5, 7))
    assert top["subjects"] == []
    assert top["period"]["previous_since"] == "2024-04-24"


def test_a_running_period_is_compared_at_its_pace(cobre, authors):
    """On Saturday 13th at 12:00 -04, 84 of the week's 168 hours have passed."""
    for n, author in enumerate(authors[:3] + authors[:2]):
        _say(cobre, author, f"2024-04-1{n % 2}T1{n}:00", DOUBLE)
    for day in ("04", "05"):
        _say(cobre, authors[5], f"2024-04-{day}T12:00", DOUBLE)
    rollups.rollups_rebuild(brand_ids=[cobre.pk])

    top = _top(cobre, now=datetime(2024, 4, 13, 16, 0, tzinfo=UTC))
    assert top["period"]["running"] is True
    [double] = top["subjects"]
    # 5 comments in half the week: 10 at this pace, five times the 2 of the week before.
    assert (double["comments"], double["projected"], double["change"]) == (5, 10.0, 4.0)
    assert (double["trend"], double["rising"]) == ("up", True)


def test_cases_count_once_per_subject_with_their_resolution_and_satisfaction(cobre, authors):
    solved = CaseFactory(
        brand=cobre,
        opened_at=_utc("2024-04-11T12:00"),
        status=CaseStatus.CLOSED,
        resolved_at=_utc("2024-04-11T18:00"),
        satisfied=True,
    )
    for at in ("2024-04-11T12:00", "2024-04-11T13:00"):  # two comments, one case
        CommentFactory(case=solved, posted_at=_utc(at), text=DOUBLE)
    waiting = CaseFactory(brand=cobre, opened_at=_utc("2024-04-12T12:00"))
    CommentFactory(case=waiting, posted_at=_utc("2024-04-12T12:00"), text=DOUBLE)
    unhappy = CaseFactory(
        brand=cobre,
        opened_at=_utc("2024-04-12T12:00"),
        status=CaseStatus.CLOSED,
        resolved_at=_utc("2024-04-13T12:00"),
        satisfied=False,
    )
    CommentFactory(case=unhappy, posted_at=_utc("2024-04-12T12:00"), text=BOTH)
    rollups.rollups_rebuild(brand_ids=[cobre.pk])

    subjects = _by_key(_top(cobre))
    assert subjects[DOUBLE_KEY]["comments"] == 4
    assert subjects[DOUBLE_KEY]["cases"] == {
        "opened": 3,
        "resolved": 2,
        "resolved_share": 0.6667,
        "satisfied": 1,
        "unsatisfied": 1,
        "satisfied_share": 0.5,
    }
    assert subjects[APP_KEY]["cases"]["opened"] == 1
    assert subjects[APP_KEY]["cases"]["satisfied_share"] == 0.0


def test_the_top_is_cut_at_the_limit_and_a_rising_subject_below_it_is_still_listed(cobre, authors):
    """Seven app failures from the same person fill the top; five double charges from three
    people in a week that had none rise below it."""
    for n in range(7):
        _say(cobre, authors[0], f"2024-04-11T1{n}:00", APP)
    for n, author in enumerate(authors[1:4] + authors[1:3]):
        _say(cobre, author, f"2024-04-12T1{n}:00", DOUBLE)
    _say(cobre, authors[4], "2024-04-12T12:00", CARD)
    rollups.rollups_rebuild(brand_ids=[cobre.pk])

    top = _top(cobre, limit=1)
    assert [(s["keys"], s["in_top"], s["rising"]) for s in top["subjects"]] == [
        ([APP_KEY], True, False),  # seven, but one person: no trend of anyone's
        ([DOUBLE_KEY], False, True),
    ]


@pytest.mark.parametrize(
    ("comments", "people", "previous", "rising"),
    [
        (5, 3, 2, True),  # 5 >= 2 x 2
        (5, 3, 3, False),  # 5 < 2 x 3
        (6, 3, 3, True),  # exactly twice
        (4, 4, 0, False),  # too few comments, though new
        (5, 2, 0, False),  # too few people
        (5, 3, 0, True),  # new, and enough of both
    ],
)
def test_the_rising_rule(cobre, comments, people, previous, rising):
    authors = [AuthorFactory(brand=cobre) for _ in range(people)]
    for n in range(comments):
        _say(cobre, authors[n % people], f"2024-04-11T1{n}:00", DOUBLE)
    for n in range(previous):
        _say(cobre, authors[0], f"2024-04-04T1{n}:00", DOUBLE)
    rollups.rollups_rebuild(brand_ids=[cobre.pk])
    [double] = _top(cobre)["subjects"]
    assert (double["comments"], double["authors"], double["previous_comments"]) == (
        comments,
        people,
        previous,
    )
    assert double["rising"] is rising


def test_the_ripples_about_a_subject_are_named_beside_it(cobre, week):
    ripple = Ripple.objects.create(
        brand=cobre,
        subject=[DOUBLE_KEY],
        first_at=_utc("2024-04-12T15:00"),
        last_at=_utc("2024-04-12T15:40"),
        size=12,
        authors=11,
    )
    Ripple.objects.create(  # the week before: not this week's
        brand=cobre,
        subject=[DOUBLE_KEY],
        first_at=_utc("2024-04-03T15:00"),
        last_at=_utc("2024-04-03T15:40"),
    )
    subjects = _by_key(_top(cobre))
    assert subjects[DOUBLE_KEY]["ripples"] == [ripple.pk]
    assert subjects[APP_KEY]["ripples"] == []


# --- names and merges -------------------------------------------------------------------------


@pytest.fixture
def boss(cobre, django_user_model):
    user = django_user_model.objects.create_user("boss", email="boss@example.com")
    grant_role(user, Role.SUPERVISOR, brand=cobre)
    return user


def test_a_name_sticks_for_a_later_period_and_is_audited(cobre, week, boss):
    complaints.subject_name(actor=boss, brand_id=cobre.pk, key=DOUBLE_KEY, name=" Cobros  dobles ")
    _say(cobre, AuthorFactory(brand=cobre), "2024-05-20T15:00", DOUBLE)
    rollups.rollups_rebuild(brand_ids=[cobre.pk])

    later = _by_key(_top(cobre, date(2024, 5, 20), date(2024, 5, 26)))[DOUBLE_KEY]
    assert (later["name"], later["label"], later["comments"]) == (
        "Cobros dobles",
        "Cobros dobles",
        1,
    )
    assert later["subject_id"] is not None
    event = AuditEvent.objects.get(action="complaint_subject_named")
    assert event.actor == boss
    assert event.before == {"brand": "cobre", "subject": None, "name": "", "keys": [DOUBLE_KEY]}
    assert event.after["name"] == "Cobros dobles"

    complaints.subject_name(actor=boss, brand_id=cobre.pk, key=DOUBLE_KEY, name="")
    assert not ComplaintSubject.objects.exists()
    assert _by_key(_top(cobre))[DOUBLE_KEY]["name"] is None


def test_merging_two_subjects_sums_them_and_counts_their_authors_once(cobre, week, boss):
    merged = complaints.subjects_merge(
        actor=boss, brand_id=cobre.pk, keys=[DOUBLE_KEY, APP_KEY], name="Cobros y app"
    )
    [subject, card] = _top(cobre)["subjects"]
    assert subject["subject_id"] == merged.pk
    assert subject["keys"] == [APP_KEY, DOUBLE_KEY]
    assert (subject["label"], subject["key_labels"]) == (
        "Cobros y app",
        ["app caída", "cobro doble"],
    )
    assert subject["comments"] == 6 + 2  # BOTH counts for each of its concepts
    assert subject["previous_comments"] == 2 + 4
    assert subject["authors"] == 5  # a, b, c, d and e
    assert [e["text"] for e in subject["examples"]] == [BOTH, APP, DOUBLE]  # BOTH once
    assert card["keys"] == [CARD_KEY]

    # Merging in a third keeps the name; separating it again leaves the two merged.
    complaints.subjects_merge(actor=boss, brand_id=cobre.pk, keys=[CARD_KEY, APP_KEY])
    assert _top(cobre)["subjects"][0]["keys"] == [APP_KEY, DOUBLE_KEY, CARD_KEY]
    assert _top(cobre)["subjects"][0]["name"] == "Cobros y app"
    complaints.subject_split(actor=boss, brand_id=cobre.pk, key=CARD_KEY)
    assert [s["keys"] for s in _top(cobre)["subjects"]] == [[APP_KEY, DOUBLE_KEY], [CARD_KEY]]
    assert list(
        AuditEvent.objects.filter(action__startswith="complaint_").values_list("action", flat=True)
    ) == ["complaint_subjects_merged", "complaint_subjects_merged", "complaint_subject_split"]


def test_two_unnamed_merges_become_one_subject_with_the_first_name(cobre, week, boss):
    complaints.subject_name(actor=boss, brand_id=cobre.pk, key=APP_KEY, name="App")
    complaints.subjects_merge(actor=boss, brand_id=cobre.pk, keys=[DOUBLE_KEY, CARD_KEY])
    complaints.subjects_merge(actor=boss, brand_id=cobre.pk, keys=[CARD_KEY, APP_KEY])
    assert ComplaintSubject.objects.count() == 1
    [subject] = _top(cobre)["subjects"]
    assert (subject["name"], subject["keys"]) == ("App", [APP_KEY, DOUBLE_KEY, CARD_KEY])


def _merge_one(brand, actor):
    complaints.subjects_merge(actor=actor, brand_id=brand.pk, keys=[DOUBLE_KEY])


def _split_unmerged(brand, actor):
    complaints.subject_split(actor=actor, brand_id=brand.pk, key=DOUBLE_KEY)


def _name_unknown(brand, actor):
    complaints.subject_name(actor=actor, brand_id=brand.pk, key="~nope", name="x")


def _name_too_long(brand, actor):
    complaints.subject_name(actor=actor, brand_id=brand.pk, key=APP_KEY, name="x" * 121)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (_merge_one, "al menos dos temas"),
        (_split_unmerged, "no está unido"),
        (_name_unknown, "Ninguna queja"),
        (_name_too_long, "120 caracteres"),
    ],
)
def test_what_cannot_be_named_or_merged_is_refused(cobre, week, boss, call, message):
    with pytest.raises(DomainError, match=message):
        call(cobre, boss)
    assert not AuditEvent.objects.filter(action__startswith="complaint_").exists()


def test_only_a_supervisor_of_the_brand_names_its_subjects(cobre, week, django_user_model):
    committee = django_user_model.objects.create_user("committee")
    grant_role(committee, Role.CRISIS_COMMITTEE, brand=cobre)
    elsewhere = django_user_model.objects.create_user("elsewhere")
    grant_role(elsewhere, Role.SUPERVISOR, brand=BrandFactory())
    for person in (committee, elsewhere):
        with pytest.raises(DomainError, match="No nombras"):
            complaints.subject_name(actor=person, brand_id=cobre.pk, key=DOUBLE_KEY, name="x")


def test_mentions_are_written_for_negative_comments_only(cobre, week):
    keys = set(SubjectMention.objects.filter(brand=cobre).values_list("key", flat=True))
    assert keys == {DOUBLE_KEY, APP_KEY, CARD_KEY}
    assert not SubjectMention.objects.filter(category=Category.OTHER).exists()
