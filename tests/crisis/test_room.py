"""The crisis room: who enters, what it shows, and the committee's actions in it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from brands.grants import grant_role
from brands.roles import Role
from crisis import acknowledging
from crisis.models import Crisis, CrisisEvent, CrisisStatus, EventKind, PostMortem, Severity
from tests.comments.test_ripple_intake import DOUBLE_CHARGE, _items
from tests.crisis.helpers import escalate, member, red, seat
from tests.factories import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def crisis(aurora, carla):
    [row] = escalate(aurora, [red(author_followers=2500)])
    return row.crisis


def _get(client, username, path):
    sign_in(client, username)
    return client.get(path)


@pytest.mark.parametrize("who", ["carla", "sam"])
def test_the_committee_and_supervisors_of_the_brand_enter(client, crisis, sam, who):
    response = _get(client, who, reverse("crisis-room", args=[crisis.pk]))
    assert response.status_code == 200
    assert crisis.subject in response.content.decode()
    assert _get(client, who, reverse("crisis-list")).status_code == 200


def test_the_list_puts_open_critical_crises_first(client, aurora, carla):
    """Newest first alone put a fresh high above an older critical the committee is fighting."""
    now = timezone.now()

    def opened(subject, minutes_ago, **fields):
        at = now - timedelta(minutes=minutes_ago)
        return Crisis.objects.create(
            brand=aurora,
            subject=subject,
            subject_key=subject,
            first_comment_at=at,
            last_escalation_at=at,
            opened_at=at,
            **fields,
        )

    opened("closed critical", 1, severity=Severity.CRITICAL, status=CrisisStatus.CLOSED)
    opened("fresh high", 2, severity=Severity.HIGH)
    opened("older critical", 30, severity=Severity.CRITICAL)
    opened("newer critical", 10, severity=Severity.CRITICAL)
    page = _get(client, "carla", reverse("crisis-list")).content.decode()
    order = ["newer critical", "older critical", "fresh high", "closed critical"]
    assert sorted(order, key=page.index) == order


#: Session, user, roles, committee seats, two permission reads, the roles once more, the
#: switcher's brands, and one query for the crises with their brands and owners.
LIST_QUERIES = 9


def test_the_crisis_list_costs_the_same_queries_for_two_crises_as_for_ten(
    client, aurora, rapimenu, sam, carla, django_assert_num_queries
):
    """Brand and owner come with each crisis in one query, never one query per row."""
    grant_role(sam, Role.SUPERVISOR, brand=rapimenu)
    sign_in(client, "sam")
    now = timezone.now()
    for per_brand, owner in ((1, carla), (4, sam)):
        Crisis.objects.bulk_create(
            Crisis(
                brand=brand,
                subject=f"{brand.slug} {n}",
                subject_key=f"{brand.slug}-{n}",
                first_comment_at=now,
                last_escalation_at=now,
                owner=owner,
            )
            for brand in (aurora, rapimenu)
            for n in range(per_brand)
        )
        with django_assert_num_queries(LIST_QUERIES):
            page = client.get(reverse("crisis-list")).content.decode()
        assert page.count('<tr><td><a href="/crises/') == Crisis.objects.count()


def test_a_community_manager_is_kept_out(client, crisis, alice):
    """The room holds the committee's decisions and unpublished statements: a community
    manager works the cases, not the crisis, unless the brand seats them on the committee."""
    assert _get(client, "alice", reverse("crisis-room", args=[crisis.pk])).status_code == 403
    assert _get(client, "alice", reverse("crisis-list")).status_code == 403


def test_a_community_manager_seated_on_the_committee_enters(client, crisis, alice, aurora):
    seat(alice, aurora, committee_role="community_manager")
    assert _get(client, "alice", reverse("crisis-room", args=[crisis.pk])).status_code == 200


def test_another_brands_committee_does_not_find_it(client, crisis, rapimenu):
    member("rita", rapimenu)
    assert _get(client, "rita", reverse("crisis-room", args=[crisis.pk])).status_code == 404
    assert _get(client, "rita", reverse("crisis-spread", args=[crisis.pk])).status_code == 404
    assert crisis.subject not in _get(client, "rita", reverse("crisis-list")).content.decode()


def test_anonymous_is_sent_to_log_in(client, crisis):
    response = client.get(reverse("crisis-room", args=[crisis.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_spread_counts_the_ripple_per_minute(client, aurora, carla):
    rows = escalate(aurora, _items(DOUBLE_CHARGE, step_minutes=4))
    crisis = rows[0].crisis
    response = _get(client, "carla", reverse("crisis-spread", args=[crisis.pk]))
    html = response.content.decode()
    assert 'data-figure="comments">12<' in html
    assert 'data-figure="authors">12<' in html
    assert 'data-figure="platforms">Twitter / X<' in html  # as the queue names it
    assert html.count("<rect ") == 12  # twelve minutes with one new comment each
    assert 'hx-trigger="every' in html


def test_status_moves_are_stamped_and_closing_opens_the_evaluation(client, crisis, carla):
    sign_in(client, "carla")
    for to in (CrisisStatus.RESPONDING, CrisisStatus.CONTAINED, CrisisStatus.CLOSED):
        client.post(reverse("crisis-move", args=[crisis.pk]), {"to": to})
    crisis.refresh_from_db()
    assert crisis.status == CrisisStatus.CLOSED
    assert crisis.responding_at <= crisis.contained_at <= crisis.closed_at
    assert crisis.acknowledged_by == carla  # acting in the room takes it in hand
    moves = CrisisEvent.objects.filter(crisis=crisis, kind=EventKind.STATUS)
    assert [e.data["to"] for e in moves] == ["responding", "contained", "closed"]
    assert PostMortem.objects.filter(crisis=crisis).exists()
    assert client.get(reverse("crisis-postmortem", args=[crisis.pk])).status_code == 200


def test_a_crisis_cannot_close_before_it_is_contained(client, crisis):
    sign_in(client, "carla")
    client.post(reverse("crisis-move", args=[crisis.pk]), {"to": CrisisStatus.CLOSED})
    assert Crisis.objects.get(pk=crisis.pk).status == CrisisStatus.COMMITTEE_NOTIFIED


@pytest.mark.parametrize("to", ["", "escalated", "nope"])
def test_a_move_to_no_known_state_is_explained_not_a_server_error(client, crisis, to):
    """An empty or unknown target once raised ValueError while building the message: a 500."""
    sign_in(client, "carla")
    response = client.post(reverse("crisis-move", args=[crisis.pk]), {"to": to}, follow=True)
    assert response.status_code == 200
    assert "Elige a dónde pasa la crisis" in response.content.decode()
    assert Crisis.objects.get(pk=crisis.pk).status == CrisisStatus.COMMITTEE_NOTIFIED


def test_decisions_are_logged_with_who_and_when(client, crisis):
    sign_in(client, "carla")
    client.post(
        reverse("crisis-decision", args=[crisis.pk]),
        {
            "decided_by": "Beatriz (gerente)",
            "decided_at": "2026-11-28T09:30",
            "decision": "Refund every double charge today",
        },
    )
    decision = CrisisEvent.objects.get(crisis=crisis, kind=EventKind.DECISION)
    assert decision.text == "Refund every double charge today"
    assert decision.data["decided_by"] == "Beatriz (gerente)"
    assert decision.actor.username == "carla"
    assert (decision.at.hour, decision.at.minute) != (None, None)
    page = client.get(reverse("crisis-room", args=[crisis.pk])).content.decode()
    assert "Refund every double charge today" in page


def test_a_community_manager_cannot_act_in_the_room(client, crisis, alice):
    sign_in(client, "alice")
    response = client.post(
        reverse("crisis-move", args=[crisis.pk]), {"to": CrisisStatus.RESPONDING}
    )
    assert response.status_code == 403
    assert Crisis.objects.get(pk=crisis.pk).status == CrisisStatus.COMMITTEE_NOTIFIED


def test_the_room_shows_the_committee_and_who_acknowledged(client, crisis, carla, aurora):
    member("beatriz", aurora, committee_role="manager", level=2)
    acknowledging.crisis_acknowledge(crisis_id=crisis.pk, user=carla)
    page = _get(client, "carla", reverse("crisis-room", args=[crisis.pk])).content.decode()
    assert "beatriz" in page
    assert "carla" in page


def test_the_room_costs_the_same_queries_for_one_red_and_a_ripple_of_twelve(client, aurora, carla):
    [single] = escalate(aurora, [red()])
    rows = escalate(aurora, _items(DOUBLE_CHARGE))
    sign_in(client, "carla")
    counts = []
    for crisis_id in (single.crisis_id, rows[0].crisis_id):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("crisis-room", args=[crisis_id])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 25


def test_a_called_member_acknowledges_from_the_room(client, crisis, carla, sam, alice):
    room, acknowledge = (
        reverse(name, args=[crisis.pk]) for name in ("crisis-room", "crisis-acknowledge")
    )
    assert crisis.notifications.filter(user=carla, acknowledged_at=None).exists()
    assert acknowledge in _get(client, "carla", room).content.decode()

    assert client.post(acknowledge).status_code == 302
    crisis.refresh_from_db()
    assert crisis.acknowledged_by == carla
    assert crisis.notifications.get(user=carla).acknowledged_at is not None
    assert acknowledge not in _get(client, "carla", room).content.decode()

    # sam was not called: no button, and posting anyway acknowledges nothing for him
    assert acknowledge not in _get(client, "sam", room).content.decode()
    client.post(acknowledge)
    assert not crisis.notifications.filter(user=sam).exists()
    sign_in(client, "alice")
    assert client.post(acknowledge).status_code == 403


def test_the_spread_says_whether_the_rate_is_over_the_threshold_now(client, crisis, aurora):
    """Measured when the page is drawn: the beat's pass may not have measured it yet."""

    def spread(crisis_id):
        return client.get(
            reverse("crisis-spread", args=[crisis_id]), headers={"Accept-Language": "en"}
        ).content.decode()

    sign_in(client, "carla")
    assert crisis.rate_contained_at is None  # never measured
    assert "Rate under the threshold since" in spread(crisis.pk)
    rows = escalate(aurora, _items(DOUBLE_CHARGE))  # twelve authors within the hour
    assert "Rate over the threshold." in spread(rows[0].crisis_id)


def test_the_timeline_gives_each_event_its_time_to_the_second(client, crisis):
    event = crisis.events.order_by("at").first()
    page = _get(client, "carla", reverse("crisis-room", args=[crisis.pk])).content.decode()
    assert f"{timezone.localtime(event.at):%H:%M:%S}</time> · " in page
