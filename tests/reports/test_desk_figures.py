"""The overview's figures of the desk itself: how often people correct the classifier, the
trolls monitored, and the crises with their clocks as their evaluation measures them."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from comments import corrections
from comments.models import Comment
from core.taxonomy import Category, Level
from crisis import acknowledging
from crisis.models import Crisis, Escalation
from reports import figures, rollups
from reports.periods import Period
from tests.crisis.helpers import escalate, member, red
from tests.crisis.test_postmortem import T0, at, closed_crisis  # noqa: F401 (a fixture)
from tests.factories import AuthorFactory, CommentFactory, sign_in

pytestmark = pytest.mark.django_db


def _scope(brand, **filters) -> figures.Scope:
    """From the day before T0 to today, in the brand's zone."""
    zone = ZoneInfo(brand.time_zone)
    first = T0.astimezone(zone).date() - timedelta(days=1)
    return figures.Scope(
        brand_ids=frozenset({brand.pk}),
        period=Period(first, timezone.now().astimezone(zone).date(), zone),
        **filters,
    )


@pytest.fixture
def two_crises(aurora, closed_crisis):  # noqa: F811
    """The evaluation's closed crisis (detect 2 min, notify 3, first response 20, contained at
    60, which acknowledged it), then a second one on a red posted at +100 min: escalated at +102,
    the committee told at +104, acknowledged at +110, not answered nor contained yet."""
    beatriz = member("bea", aurora)
    [row] = escalate(aurora, [red(posted_at=at(100).isoformat(), external_id="second")])
    second = row.crisis
    assert second.pk != closed_crisis.pk
    Escalation.objects.filter(pk=row.pk).update(created_at=at(102))
    Crisis.objects.filter(pk=second.pk).update(notified_at=at(104))
    assert acknowledging.crisis_acknowledge(crisis_id=second.pk, user=beatriz, now=at(110))
    return closed_crisis, second


def test_each_crisis_of_the_period_has_its_clocks_and_their_median(aurora, two_crises):
    closed, second = two_crises
    crises = figures.crises(_scope(aurora))
    assert crises["opened"] == 2
    by_id = {row["id"]: row for row in crises["crises"]}
    assert by_id[closed.pk] == {
        "id": closed.pk,
        "subject": closed.subject,
        "severity": closed.severity,
        "status": "closed",
        "opened_at": closed.opened_at.isoformat(),
        "detect": 120,
        "notify": 180,
        "acknowledge": 3600,  # containing it was the first sign of life
        "respond": 1200,
        "contain": 3600,
    }
    assert [by_id[second.pk][clock] for clock in figures.CRISIS_CLOCKS] == [
        120,
        240,
        600,
        None,
        None,
    ]
    clocks = crises["clocks"]
    assert clocks["notify"] == {"median": 210.0, "p90": 234.0}
    assert clocks["detect"] == {"median": 120.0, "p90": 120.0}
    assert clocks["acknowledge"] == {"median": 2100.0, "p90": 3300.0}
    assert clocks["contain"] == {"median": 3600.0, "p90": 3600.0}


def test_a_closed_crisis_keeps_the_facts_frozen_at_its_closing(aurora, two_crises):
    closed, _ = two_crises
    Crisis.objects.filter(pk=closed.pk).update(notified_at=at(50))
    [row] = [c for c in figures.crises(_scope(aurora))["crises"] if c["id"] == closed.pk]
    assert row["notify"] == 180


def test_crises_of_another_brand_or_period_are_not_counted(rapimenu, aurora, two_crises):
    assert figures.crises(_scope(rapimenu))["opened"] == 0
    last_week = figures.Scope(
        brand_ids=frozenset({aurora.pk}),
        period=Period(
            (T0 - timedelta(days=9)).date(),
            (T0 - timedelta(days=3)).date(),
            _scope(aurora).period.zone,
        ),
    )
    assert figures.crises(last_week) == {
        "opened": 0,
        "clocks": {clock: {"median": None, "p90": None} for clock in figures.CRISIS_CLOCKS},
        "crises": [],
    }


def _comments(brand, category, n, level=Level.GREEN):
    return [
        CommentFactory(brand=brand, posted_at=at(10), category=category, level=level)
        for _ in range(n)
    ]


def test_corrections_are_counted_by_the_category_the_comments_have_now(aurora, sam):
    pqr = _comments(aurora, Category.PQR, 4)
    _comments(aurora, Category.OTHER, 6)
    # A person says one "other"-looking pqr is an insult, and confirms another pqr as it is.
    corrections.classification_correct(
        comment_id=pqr[0].pk, user=sam, category=Category.INSULT, level=Level.YELLOW
    )
    corrections.classification_correct(
        comment_id=pqr[1].pk, user=sam, category=Category.PQR, level=Level.GREEN
    )
    rollups.rollups_rebuild(brand_ids=[aurora.pk])

    figures_ = figures.corrections(_scope(aurora))
    by_category = {row["category"]: row for row in figures_["categories"]}
    assert by_category["pqr"] == {"category": "pqr", "comments": 3, "corrected": 1, "rate": 0.3333}
    assert by_category["insult"]["rate"] == 1.0
    assert by_category["other"] == {"category": "other", "comments": 6, "corrected": 0, "rate": 0.0}
    assert by_category["high_level"]["rate"] is None
    assert (figures_["comments"], figures_["corrected"], figures_["overall_rate"]) == (10, 2, 0.2)
    rates = [rate for rate in figures_["rate"] if rate is not None]
    assert rates == [0.2]  # every comment on one day; the other days have nothing to rate


def test_trolls_monitored_are_the_flagged_authors_and_what_they_wrote(aurora, rapimenu, sam):
    troll = AuthorFactory(brand=aurora, platform="twitter")
    quiet_troll = AuthorFactory(brand=aurora, platform="facebook")
    for author in (troll, quiet_troll):
        corrections.author_flag_troll(author_id=author.pk, actor=sam, is_troll=True)
    for _ in range(3):
        CommentFactory(brand=aurora, author=troll, posted_at=at(5), category=Category.INSULT)
    CommentFactory(brand=aurora, posted_at=at(5))  # somebody else
    elsewhere = AuthorFactory(brand=rapimenu, is_troll=True)
    CommentFactory(brand=rapimenu, author=elsewhere, posted_at=at(5))

    assert figures.trolls(_scope(aurora)) == {"monitored": 2, "flagged": 2, "comments": 3}
    assert figures.trolls(_scope(aurora, platform="facebook")) == {
        "monitored": 1,
        "flagged": 1,
        "comments": 0,
    }
    assert figures.trolls(_scope(aurora, category=Category.PQR))["comments"] == 0
    corrections.author_flag_troll(author_id=troll.pk, actor=sam, is_troll=False, note="se calmó")
    assert figures.trolls(_scope(aurora)) == {"monitored": 1, "flagged": 2, "comments": 0}


def test_the_overview_page_shows_the_crises_corrections_and_trolls(client, sam, aurora, two_crises):
    closed, second = two_crises
    comment = Comment.objects.filter(brand=aurora).first()
    corrections.classification_correct(
        comment_id=comment.pk, user=sam, category=Category.OTHER, level=Level.GREEN
    )
    rollups.rollups_rebuild(brand_ids=[aurora.pk])
    sign_in(client, "sam")
    period = _scope(aurora).period
    response = client.get(
        reverse("reports-overview"),
        {"since": period.first_day.isoformat(), "until": period.last_day.isoformat()},
    )
    assert response.status_code == 200
    page = response.content.decode()
    for table in ("table-crisis-clocks", "table-corrections", "table-trolls", "chart-corrections"):
        assert f'id="{table}"' in page
    assert reverse("crisis-room", args=[second.pk]) in page
    assert f'data-crisis="{closed.pk}"' in page
    assert response.context["overview"]["corrections"]["corrected"] == 1
    median = page.split('data-figure="median"')[1].split("</tr>")[0]
    assert "<td>2" in median  # detect: 2 minutes
