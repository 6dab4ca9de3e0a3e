"""Containment measured from the rate: a burst of related comments, then silence."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from comments.models import Comment
from crisis import containment, transitions
from crisis.models import Crisis, CrisisEvent, CrisisStatus, EventKind, PostMortem
from tests.comments.test_ripple_intake import DOUBLE_CHARGE, _items
from tests.crisis.helpers import escalate, red

pytestmark = pytest.mark.django_db


@pytest.fixture
def minute():
    """Minute ``n`` of the burst: it starts eleven minutes ago (intake sees live ripples only),
    and the measure is read at later ``now``s."""
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=11)
    return lambda n: start + timedelta(minutes=n)


@pytest.fixture
def burst(aurora, carla, minute):
    """Twelve authors repeat one complaint, one a minute from minute 0 to 11, then nobody."""
    escalate(aurora, _items(DOUBLE_CHARGE, start=minute(0), step_minutes=1))
    return Crisis.objects.select_related("brand").get()


def test_the_rate_falls_under_the_threshold_a_window_after_the_burst(burst, minute):
    # 10 distinct authors in 60 minutes: at T0+61 the window still holds authors 2..11 (ten),
    # at T0+62 only nine.
    assert containment.rate_contained_at(crisis=burst, now=minute(120)) == minute(62)


def test_not_contained_while_the_window_still_holds_the_threshold(burst, minute):
    assert (
        containment.rate_contained_at(crisis=burst, now=minute(61) + timedelta(seconds=30)) is None
    )
    assert containment.rate_contained_at(crisis=burst, now=minute(62)) == minute(62)


def test_a_burst_still_going_is_not_contained(aurora, carla):
    escalate(
        aurora, _items(DOUBLE_CHARGE, start=timezone.now() - timedelta(minutes=11), step_minutes=1)
    )
    crisis = Crisis.objects.select_related("brand").get()
    assert containment.rate_contained_at(crisis=crisis) is None
    assert containment.crisis_measure_containment(crisis=crisis) is None
    assert not CrisisEvent.objects.filter(kind=EventKind.RATE_CONTAINED).exists()


def test_the_brands_own_threshold_is_the_one_compared(burst, minute):
    burst.brand.ripple_min_authors = 5
    burst.brand.save()
    # Five authors in the window last at T0+66 (authors 7..11).
    assert containment.rate_contained_at(crisis=burst, now=minute(120)) == minute(67)


def test_one_author_repeating_is_not_over_the_threshold(aurora, carla, minute):
    [row] = escalate(aurora, [red(posted_at=minute(0).isoformat())])
    crisis = Crisis.objects.select_related("brand").get()
    escalate(
        aurora,
        [
            red(author_handle=row.comment.author.handle, posted_at=minute(n).isoformat())
            for n in range(1, 12)
        ],
    )
    assert Crisis.objects.count() == 1
    # Never over: contained from the moment it opened, and the timeline does not say the rate
    # came back under a threshold it never reached.
    assert containment.rate_contained_at(crisis=crisis) == crisis.opened_at
    assert containment.crisis_measure_containment(crisis=crisis) == crisis.opened_at
    assert not crisis.events.filter(kind=EventKind.RATE_CONTAINED).exists()


def test_measuring_stores_the_moment_and_writes_the_timeline_once(burst, minute):
    assert containment.crisis_measure_containment(crisis=burst, now=minute(120)) == minute(62)
    assert containment.crisis_measure_containment(crisis=burst, now=minute(121)) == minute(62)
    burst.refresh_from_db()
    assert burst.rate_contained_at == minute(62)
    [event] = CrisisEvent.objects.filter(crisis=burst, kind=EventKind.RATE_CONTAINED)
    assert event.at == minute(62)
    assert event.data == {"min_authors": 10, "window_minutes": 60}


def test_the_beat_pass_measures_open_crises_at_the_present(burst, aurora, minute):
    hours = timedelta(hours=3)  # the same records, three hours later
    Comment.objects.filter(brand=aurora).update(posted_at=F("posted_at") - hours)
    Crisis.objects.update(
        opened_at=F("opened_at") - hours, first_comment_at=F("first_comment_at") - hours
    )
    assert containment.crises_measure_containment() == 1
    assert containment.crises_measure_containment() == 0
    burst.refresh_from_db()
    assert burst.rate_contained_at == minute(62) - hours


def test_a_second_wave_reopens_the_measure(burst, aurora, minute):
    containment.crisis_measure_containment(crisis=burst, now=minute(120))
    escalate(
        aurora,
        _items(
            DOUBLE_CHARGE,
            prefix="wave2",
            start=timezone.now() - timedelta(minutes=11),
            step_minutes=1,
        ),
    )
    assert Crisis.objects.count() == 1  # the same ripple's crisis
    assert containment.crises_measure_containment() == 1
    burst.refresh_from_db()
    assert burst.rate_contained_at is None
    kinds = list(
        burst.events.filter(kind__in=[EventKind.RATE_CONTAINED, EventKind.RATE_OVER])
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == [EventKind.RATE_CONTAINED, EventKind.RATE_OVER]


def test_the_evaluation_shows_both_containments(burst, carla, minute):
    transitions.crisis_transition(
        crisis_id=burst.pk, actor=carla, to=CrisisStatus.CONTAINED, now=minute(90)
    )
    transitions.crisis_transition(
        crisis_id=burst.pk, actor=carla, to=CrisisStatus.CLOSED, now=minute(150)
    )
    facts = PostMortem.objects.get(crisis=burst).facts
    assert facts["time_to_rate_containment_s"] == 62 * 60
    assert facts["time_to_containment_s"] == 90 * 60
    assert facts["rate_contained_at"] == minute(62).isoformat()
    assert CrisisEvent.objects.filter(crisis=burst, kind=EventKind.RATE_CONTAINED).count() == 1
