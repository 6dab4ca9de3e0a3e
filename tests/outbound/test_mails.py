"""The mail outbox (outbound.mails, outbound.outbox) against a mail server that goes down and
refuses addresses (tests/outbound/flaky_mail.py): each mail is sent once in effect."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cases import deadlines, departments, followups, workflow
from cases.models import Department, Outcome
from core.taxonomy import Level
from outbound import mails
from outbound.models import Mail, MailKind
from tests.factories import case_with_comment, clock_at, send_mails
from tests.outbound.flaky_mail import SERVER

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def flaky_server(settings):
    settings.EMAIL_BACKEND = "tests.outbound.flaky_mail.EmailBackend"
    SERVER.down, SERVER.refused, SERVER.tried = False, set(), 0
    yield SERVER
    SERVER.down, SERVER.refused = False, set()


def _mail(brand, to, key):
    return mails.mail_create(
        brand_id=brand.pk,
        kind=MailKind.DEADLINE_ALERT,
        key=key,
        to=[to],
        subject=f"[Semáforo] about {key}",
        body="body",
    )


def _one_of_each_kind(aurora, alice) -> list[int]:
    """A department request, a deadline alert and a follow-up prompt, each promised by the
    domain as the desk does."""
    late = case_with_comment(brand=aurora, level=Level.GREEN)
    workflow.case_assign(case_id=late.pk, actor=alice, assignee=alice)
    assert deadlines.deadline_alarms_claim(now=late.response_due_at) == [
        [late.pk, "response", True]
    ]
    billing = Department.objects.create(brand=aurora, name="Facturación", email="billing@a.example")
    routed = case_with_comment(brand=aurora, level=Level.GREEN)
    workflow.case_assign(case_id=routed.pk, actor=alice, assignee=alice)
    workflow.case_move(case_id=routed.pk, actor=alice, action="start")
    departments.department_request(
        case_id=routed.pk, actor=alice, department_id=billing.pk, need="Reembolso", details="x"
    )
    resolved = case_with_comment(brand=aurora, level=Level.GREEN)
    workflow.case_assign(case_id=resolved.pk, actor=alice, assignee=alice)
    workflow.case_move(case_id=resolved.pk, actor=alice, action="start")
    workflow.case_move(case_id=resolved.pk, actor=alice, action="resolve", outcome=Outcome.SOLVED)
    assert followups.follow_up_prompt(follow_up_id=resolved.follow_ups.get().pk) is True
    ids = list(Mail.objects.order_by("pk").values_list("pk", flat=True))
    assert sorted(Mail.objects.values_list("kind", flat=True)) == sorted(
        [MailKind.DEPARTMENT_REQUEST, MailKind.DEADLINE_ALERT, MailKind.FOLLOW_UP_PROMPT]
    )
    return ids


def test_an_smtp_outage_of_an_hour_delays_each_mail_and_sends_it_exactly_once(
    aurora, alice, sam, flaky_server
):
    ids = _one_of_each_kind(aurora, alice)
    start = timezone.now()
    flaky_server.down = True
    for minute in range(61):  # a sweep a minute while the server is down
        with clock_at(start + timedelta(minutes=minute)):
            assert send_mails() == 0
    down = Mail.objects.filter(pk__in=ids)
    assert all(m.sent_at is None and m.failed_at is None for m in down)
    assert all(m.attempts >= 6 for m in down), [m.attempts for m in down]
    assert all(m.last_error.startswith("SMTPServerDisconnected") for m in down)

    flaky_server.down = False
    for minute in range(61, 24 * 60, 1):
        with clock_at(start + timedelta(minutes=minute)):
            send_mails()
    assert len(mail.outbox) == 3
    assert sorted(m.subject for m in mail.outbox) == sorted(m.subject for m in down)
    assert all(m.sent_at is not None and m.last_error == "" for m in down.all())
    assert mails.mails_with_errors(brand_ids=[aurora.pk]).count() == 0


def test_a_chunk_whose_second_mail_fails_sends_the_others_once_and_retries_the_second(
    aurora, flaky_server
):
    ids = [
        _mail(aurora, address, f"chunk:{n}")
        for n, address in enumerate(["ana@a.example", "refuse@a.example", "ciro@a.example"])
    ]
    flaky_server.refused = {"refuse@a.example"}
    assert mails.mails_send(mail_ids=ids) == 2
    assert mails.mails_send(mail_ids=ids) == 0  # the same chunk again (a redelivered message)
    assert [m.to for m in mail.outbox] == [["ana@a.example"], ["ciro@a.example"]]
    second = Mail.objects.get(pk=ids[1])
    assert (second.sent_at, second.attempts) == (None, 1)
    assert second.last_error.startswith("SMTPRecipientsRefused")
    assert second.next_attempt_at > timezone.now()

    flaky_server.refused = set()
    with clock_at(timezone.now() + timedelta(minutes=2)):
        assert mails.mails_send(mail_ids=ids) == 1
        assert mails.mails_send(mail_ids=ids) == 0
    assert [m.to for m in mail.outbox] == [
        ["ana@a.example"],
        ["ciro@a.example"],
        ["refuse@a.example"],
    ]
    assert Mail.objects.filter(sent_at=None).count() == 0


def test_a_mail_that_fails_for_a_day_is_a_dead_letter_its_brands_supervisors_see(
    aurora, rapimenu, flaky_server
):
    pk = _mail(aurora, "ana@a.example", "dead:1")
    flaky_server.down = True
    start = timezone.now()
    with clock_at(start + timedelta(hours=23, minutes=59)):
        assert send_mails() == 0
    assert Mail.objects.get(pk=pk).failed_at is None  # not given up before a day
    with clock_at(start + timedelta(hours=24, minutes=1)):
        assert send_mails() == 0
    dead = Mail.objects.get(pk=pk)
    assert dead.failed_at is not None
    assert dead.next_attempt_at is None
    assert dead.last_error.startswith("SMTPServerDisconnected")
    flaky_server.down = False
    _mail(rapimenu, "rita@r.example", "alive:1")
    with clock_at(start + timedelta(days=2)):
        assert send_mails() == 1  # rapimenu's, not the dead letter
    assert [m.to for m in mail.outbox] == [["rita@r.example"]]
    assert list(mails.mails_with_errors(brand_ids=[aurora.pk])) == [dead]
    assert list(mails.mails_with_errors(brand_ids=[rapimenu.pk])) == []


def test_a_key_used_before_promises_nothing_new_and_nobody_to_tell_promises_nothing(aurora):
    first = _mail(aurora, "ana@a.example", "once:1")
    assert first is not None
    assert _mail(aurora, "ana@a.example", "once:1") is None
    assert (
        mails.mail_create(
            brand_id=aurora.pk,
            kind=MailKind.DEADLINE_ALERT,
            key="nobody",
            to=[""],
            subject="s",
            body="b",
        )
        is None
    )
    assert Mail.objects.count() == 1


def test_a_subject_is_one_bounded_line_whatever_the_customer_wrote(aurora):
    pk = mails.mail_create(
        brand_id=aurora.pk,
        kind=MailKind.DEADLINE_ALERT,
        key="subject",
        to=["ana@a.example"],
        subject="Caso de @ana\nBcc: everyone@example.com " + "x" * 400,
        body="b",
    )
    subject = Mail.objects.get(pk=pk).subject
    assert "\n" not in subject
    assert len(subject) <= mails.SUBJECT_CHARS
    assert send_mails() == 1
    assert mail.outbox[0].subject == subject
