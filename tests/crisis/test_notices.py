"""The committee's notices are outbox rows (outbound.outbox): a mail server down for longer than
any task's retries delays a level's notice and never loses it, nor sends it twice."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from crisis import calling
from crisis.models import Crisis, CrisisEvent, CrisisNotification, EventKind
from outbound import outbox
from tests.crisis.helpers import escalate, member, red
from tests.factories import clock_at
from tests.outbound.flaky_mail import SERVER

pytestmark = pytest.mark.django_db

#: The level's task gives up after its eight retries, backing off up to two minutes: about
#: six minutes. The outage here is twenty times that.
OUTAGE = timedelta(hours=2)


@pytest.fixture(autouse=True)
def flaky_server(settings):
    settings.EMAIL_BACKEND = "tests.outbound.flaky_mail.EmailBackend"
    SERVER.down, SERVER.refused = False, set()
    yield SERVER
    SERVER.down = False


def _sweep() -> int:
    """What beat's sweep and the crisis worker do together: the due notices, each sent once."""
    due = outbox.outbox_due(
        CrisisNotification.objects.all(),
        now=timezone.now(),
        grace=timedelta(0),
        timeout=timedelta(minutes=2),
    )
    return calling.crisis_notices_send(notice_ids=due)


def test_level_two_and_three_notices_outlive_an_outage_longer_than_the_old_retries(
    aurora, carla, settings, flaky_server
):
    boss = member("beatriz", aurora, committee_role="manager", level=2)
    chief = member("ciro", aurora, committee_role="manager", level=3)
    escalate(aurora, [red()])  # level 1 is told while the server is up
    crisis = Crisis.objects.get()
    ack = timedelta(minutes=settings.SEMAFORO["CRISIS_ACK_MINUTES"] + 1)

    flaky_server.down = True
    late = crisis.level_notified_at + ack
    assert calling.crises_escalate_unacknowledged(now=late) == [(crisis.pk, 2)]
    for _ in range(9):  # the level's task and its eight retries, every one while it is down
        with pytest.raises(smtplib.SMTPServerDisconnected):
            calling.crisis_notify_level(crisis_id=crisis.pk, level=2)
    assert calling.crises_escalate_unacknowledged(now=late + ack) == [(crisis.pk, 3)]
    with pytest.raises(smtplib.SMTPServerDisconnected):
        calling.crisis_notify_level(crisis_id=crisis.pk, level=3)
    waiting = CrisisNotification.objects.filter(user__in=[boss, chief])
    assert all(n.sent_at is None and n.failed_at is None for n in waiting)
    assert all(n.last_error.startswith("SMTPServerDisconnected") for n in waiting)

    start = timezone.now()
    for minute in range(0, int(OUTAGE.total_seconds() // 60), 5):
        with clock_at(start + timedelta(minutes=minute)):
            assert _sweep() == 0
    assert all(n.attempts > 9 for n in waiting.filter(user=boss))

    flaky_server.down = False
    sent = 0
    for minute in range(int(OUTAGE.total_seconds() // 60), 24 * 60, 5):
        with clock_at(start + timedelta(minutes=minute)):
            sent += _sweep()
    assert sent == 2
    first, *late_ones = (m.to for m in mail.outbox)
    assert (first, sorted(late_ones)) == ([carla.email], [[boss.email], [chief.email]])
    assert all(n.sent_at is not None for n in waiting.all())
    retried = CrisisEvent.objects.filter(crisis=crisis, kind=EventKind.NOTIFIED, data__retried=True)
    assert sorted(e.text for e in retried) == sorted([boss.email, chief.email])
    # The level's task retried by hand afterwards sends nothing again.
    calling.crisis_notify_level(crisis_id=crisis.pk, level=2)
    assert len(mail.outbox) == 3


def test_one_members_bad_address_never_holds_back_the_rest_of_the_level(aurora, flaky_server):
    """Two members at level 1; the first (by name) is refused. The second is told anyway, and
    the first's notice keeps the error for its sweep."""
    member("abel", aurora, committee_role="manager")
    bea = member("bea", aurora, committee_role="marketing")
    flaky_server.refused = {"abel@example.com"}
    [row] = escalate(aurora, [red()])
    assert [m.to for m in mail.outbox] == [[bea.email]]
    row.refresh_from_db()
    assert row.notified_at is None  # the escalation is retried too
    assert row.last_error.startswith("SMTPRecipientsRefused")
    abel = CrisisNotification.objects.get(user__username="abel")
    assert (abel.sent_at, abel.attempts) == (None, 1)
    assert abel.last_error.startswith("SMTPRecipientsRefused")
    assert Crisis.objects.get().notified_at is not None  # bea was told: the committee knows

    flaky_server.refused = set()
    with clock_at(timezone.now() + timedelta(minutes=5)):
        assert _sweep() == 1
        assert _sweep() == 0
    assert [m.to for m in mail.outbox] == [[bea.email], ["abel@example.com"]]


def test_a_notice_failing_for_a_day_is_given_up_with_its_error(aurora, carla, flaky_server):
    flaky_server.down = True
    [row] = escalate(aurora, [red()])
    start = timezone.now()
    with clock_at(start + timedelta(hours=24, minutes=1)):
        assert _sweep() == 0
    notice = CrisisNotification.objects.get(user=carla)
    assert notice.failed_at is not None
    assert notice.last_error.startswith("SMTPServerDisconnected")
    flaky_server.down = False
    with clock_at(start + timedelta(days=2)):
        assert _sweep() == 0
    assert mail.outbox == []


def test_a_crisis_closed_during_the_outage_calls_nobody_when_it_is_back(
    aurora, carla, flaky_server
):
    flaky_server.down = True
    escalate(aurora, [red()])
    Crisis.objects.update(status="closed", closed_at=timezone.now())
    flaky_server.down = False
    with clock_at(timezone.now() + timedelta(hours=1)):
        assert _sweep() == 0
    assert mail.outbox == []
