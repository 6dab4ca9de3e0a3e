"""Calling the committee: one contact level at a time, by mail and in the committee's chat.

Level 1 of the committee is called when a crisis opens; a beat task calls
``crises_escalate_unacknowledged``, which claims (conditional UPDATE) each crisis nobody
acknowledged within ``SEMAFORO_CRISIS_ACK_MINUTES`` and calls the next level that has members.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brands.models import Membership
from brands.roles import Role
from comments.models import Comment
from core.pii import mask_text
from core.queueing import each_isolated, enqueue
from core.text import one_line
from crisis.links import ack_url, chat_ack_url, room_url
from crisis.models import (
    MAX_LEVEL,
    UNACKNOWLEDGED_STATUSES,
    Crisis,
    CrisisNotification,
    CrisisStatus,
    EventKind,
)
from crisis.timeline import timeline_record
from outbound.delivery import delivery_create
from outbound.models import Purpose
from outbound.outbox import outbox_claim, outbox_failed, outbox_send, outbox_sent, outbox_sweep

#: The task that calls one contact level of the committee (``crisis.tasks``).
NOTIFY_LEVEL_TASK = "crisis.tasks.notify_level"
#: The task that sends the members' notices a sweep found due (``crisis.tasks``).
NOTICES_TASK = "crisis.tasks.send_notices"
WATCH_BATCH = 200

logger = logging.getLogger(__name__)


# --- who is called --------------------------------------------------------------------------


def committee_memberships(*, brand_id: int, level: int):
    """The brand's committee at one contact level: members with a profile at that level, plus
    (at level 1) people in the committee role who have no profile yet."""
    seats = Q(committee__contact_level=level)
    if level == 1:
        seats |= Q(committee__isnull=True, role=Role.CRISIS_COMMITTEE)
    return (
        Membership.objects.filter(seats, brand_id=brand_id, user__is_active=True)
        .select_related("user", "committee")
        .order_by("user__username")
    )


def levels_with_members(*, brand_id: int) -> set[int]:
    return {
        level
        for level in range(1, MAX_LEVEL + 1)
        if committee_memberships(brand_id=brand_id, level=level).exists()
    }


# --- notify ---------------------------------------------------------------------------------


def crisis_notify_level(*, crisis_id: int, level: int, comment: Comment | None = None) -> list[str]:
    """Tell every member of one contact level, once each, by e-mail with a personal
    acknowledgement link; and the committee's chat through a signed webhook (one message per
    level, idempotent by its key). Answers the addresses of the level's members told so far.

    Each member's notice is an outbox row (``outbound.outbox``), claimed before their mail and
    marked sent after it: a retry (or the notices' sweep) mails only those not marked, and a
    worker killed between the two re-sends to that one member only after
    ``SEMAFORO_CRISIS_CLAIM_TIMEOUT_S``. One member's failed mail never holds back the others';
    it stays on their notice, retried with backoff for hours, and is raised once all were tried.
    """
    crisis = Crisis.objects.select_related("brand").get(pk=crisis_id)
    seats = list(committee_memberships(brand_id=crisis.brand_id, level=level))
    told = dict(CrisisNotification.objects.filter(crisis=crisis).values_list("user_id", "sent_at"))
    pending = [seat for seat in seats if told.get(seat.user_id) is None]
    sent_now: list[str] = []
    errors: list[Exception] = []
    if pending:  # the common case of a red joining a crisis already told skips all of this
        created = timezone.now()
        CrisisNotification.objects.bulk_create(
            [
                CrisisNotification(
                    crisis=crisis,
                    user=seat.user,
                    level=level,
                    created_at=created,
                    next_attempt_at=created,
                )
                for seat in pending
                if seat.user_id not in told
            ],
            ignore_conflicts=True,
        )
        notices = dict(
            CrisisNotification.objects.filter(
                crisis=crisis, user__in=[seat.user_id for seat in seats]
            ).values_list("user_id", "pk")
        )
        with transaction.atomic():
            delivery_create(
                brand=crisis.brand,
                purpose=Purpose.CHAT,
                event="crisis.notify",
                key=f"crisis-{crisis.pk}-level-{level}",
                payload=_chat_payload(crisis, level, seats, comment, notices),
            )

        def notify(seat) -> None:
            if _notify_member(notices[seat.user_id], crisis, seat.user, level, comment):
                sent_now.append(seat.user.email or seat.user.get_username())

        each_isolated(pending, notify, failed=lambda _seat, error: errors.append(error))
    now = timezone.now()
    reached = bool(sent_now) or any(told.get(seat.user_id) for seat in seats)
    if not seats:
        # Nobody to tell at this level: mark it overdue so the next watch pass calls the next
        # level with members instead of waiting for an acknowledgement that cannot come.
        logger.warning("crisis %s: nobody at contact level %s", crisis.pk, level)
        overdue = now - timedelta(minutes=settings.SEMAFORO["CRISIS_ACK_MINUTES"])
        Crisis.objects.filter(pk=crisis.pk, level_notified_at=None).update(
            level_notified_at=overdue
        )
    elif (not errors or reached) and (
        crisis.notified_at is None
        or crisis.level_notified_at is None
        or crisis.status == CrisisStatus.DETECTED
    ):
        Crisis.objects.filter(pk=crisis.pk).update(
            notified_at=Coalesce("notified_at", Value(now)),
            level_notified_at=Coalesce("level_notified_at", Value(now)),
            status=Case(
                When(status=CrisisStatus.DETECTED, then=Value(CrisisStatus.COMMITTEE_NOTIFIED)),
                default=F("status"),
            ),
        )
    if sent_now:
        timeline_record(
            crisis,
            EventKind.NOTIFIED,
            at=now,
            text=", ".join(sent_now),
            data={"level": level, "recipients": sent_now},
        )
    if errors:
        # Their notices keep the error and are retried by their sweep; raising tells the
        # caller (an escalation, a level's task) to try again too.
        raise errors[0]
    return sorted(
        CrisisNotification.objects.filter(crisis=crisis, level=level, sent_at__isnull=False)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


def _notify_member(
    notice_id: int, crisis: Crisis, user, level: int, comment: Comment | None
) -> bool:
    """Claim this member's notice, mail it, mark it sent; False when another worker has it or
    it is sent or given up. Not on its schedule: the caller (an escalation, a level's task)
    retries with a backoff of its own. A failure stays on the notice for its sweep."""
    notice = outbox_claim(
        CrisisNotification.objects.all(), notice_id, timeout=_claim_timeout(), on_schedule=False
    )
    if notice is None:
        return False
    try:
        if user.email:
            _mail_member(crisis, user, level, comment)
    except Exception as error:
        outbox_failed(notice, error)
        raise
    return outbox_sent(notice)


# --- notices that failed: the sweep ---------------------------------------------------------


def crisis_notices_send(*, notice_ids: list[int]) -> int:
    """Send the notices of a chunk that are due, each on its own (``outbound.outbox``), and
    write on each crisis's timeline whom it reached late; a crisis closed meanwhile calls
    nobody. Answers how many went."""
    sent = outbox_send(
        CrisisNotification.objects.exclude(crisis__status=CrisisStatus.CLOSED).select_related(
            "crisis__brand", "user"
        ),
        notice_ids,
        _send_notice,
        timeout=_claim_timeout(),
    )
    now = timezone.now()
    for notice in sent:
        whom = notice.user.email or notice.user.get_username()
        timeline_record(
            notice.crisis,
            EventKind.NOTIFIED,
            at=now,
            text=whom,
            data={"level": notice.level, "recipients": [whom], "retried": True},
        )
    return len(sent)


def _send_notice(notice: CrisisNotification) -> None:
    if notice.user.email:
        _mail_member(notice.crisis, notice.user, notice.level, None)


def crisis_notices_sweep(*, now=None) -> int:
    """Beat: hand the crisis queue every member's notice that is still to send and due: its
    mail failed (the server was down for longer than any task's retries), or its worker died.
    A crisis closed meanwhile calls nobody."""
    return outbox_sweep(
        CrisisNotification.objects.exclude(crisis__status=CrisisStatus.CLOSED),
        NOTICES_TASK,
        timeout=_claim_timeout(),
        queue="crisis",
        now=now,
    )


def _claim_timeout() -> timedelta:
    return timedelta(seconds=settings.SEMAFORO["CRISIS_CLAIM_TIMEOUT_S"])


def _chat_payload(
    crisis: Crisis, level: int, seats, comment: Comment | None, notices: dict[int, int]
) -> dict:
    """The chat message: who to mention, and for each member of the level a personal
    acknowledgement URL for a button (``crisis_acknowledge_by_chat``)."""

    def handle(seat) -> str:
        return seat.committee.chat_handle if hasattr(seat, "committee") else ""

    return {
        "crisis": crisis.pk,
        "subject": one_line(crisis.subject),
        "severity": crisis.severity,
        "level": level,
        "room": room_url(crisis),
        "mention": [handle(s) for s in seats if handle(s)],
        "members": [
            {
                "username": s.user.get_username(),
                "chat_handle": handle(s),
                "ack_url": chat_ack_url(notices[s.user_id]),
            }
            for s in seats
            if s.user_id in notices
        ],
        # The committee's chat is read by more people than the case: masked (core.pii).
        "comment": mask_text(comment.text, comment.pii)[:500] if comment else "",
    }


def _mail_member(crisis: Crisis, user, level: int, comment: Comment | None) -> None:
    with translation.override(crisis.brand.language):
        subject = one_line(
            _("[Semáforo] CRISIS #%(id)s (%(brand)s): %(subject)s")
            % {"id": crisis.pk, "brand": crisis.brand.name, "subject": crisis.subject}
        )
        lines = [
            _("A crisis needs the committee now (contact level %(level)s).") % {"level": level},
            "",
        ]
        if comment is not None:
            reasons = "\n".join(f"- {r['signal']}: {r['evidence']}" for r in comment.reasons)
            lines += [
                mask_text(comment.text, comment.pii),
                "",
                _("Author: %(handle)s (%(followers)s followers)")
                % {"handle": comment.author.handle, "followers": comment.author_followers},
                _("Category: %(category)s") % {"category": comment.get_category_display()},
                _("Reasons:"),
                reasons,
                "",
            ]
        lines += [
            _("Crisis room: %(url)s") % {"url": room_url(crisis)},
            _("Acknowledge (personal link): %(url)s") % {"url": ack_url(crisis, user)},
        ]
    with get_connection() as connection:
        EmailMessage(
            subject, "\n".join(lines) + "\n", to=[user.email], connection=connection
        ).send()


# --- nobody answered: the next level --------------------------------------------------------


def crises_escalate_unacknowledged(*, now=None) -> list[tuple[int, int]]:
    """Call the next contact level of every crisis nobody acknowledged in time.

    One query on the partial index ``crisis_ack_watch``; each crisis is claimed by a
    conditional UPDATE on its current level, so two beats never call a level twice. Answers
    ``(crisis_id, level)`` claimed; the notices go out on the crisis queue after commit.
    """
    now = now or timezone.now()
    deadline = now - timedelta(minutes=settings.SEMAFORO["CRISIS_ACK_MINUTES"])
    due = list(
        Crisis.objects.filter(
            acknowledged_at=None,
            status__in=UNACKNOWLEDGED_STATUSES,
            level_notified_at__lte=deadline,
            contact_level__lt=MAX_LEVEL,
        )
        .order_by("level_notified_at")
        .values_list("pk", "brand_id", "contact_level")[:WATCH_BATCH]
    )
    claimed = []
    for crisis_id, brand_id, current in due:
        levels = [lv for lv in sorted(levels_with_members(brand_id=brand_id)) if lv > current]
        level = levels[0] if levels else MAX_LEVEL
        with transaction.atomic():
            won = Crisis.objects.filter(
                pk=crisis_id, contact_level=current, acknowledged_at=None
            ).update(contact_level=level, level_notified_at=now)
            if not won:
                continue
            if not levels:
                logger.warning("crisis %s: no contact level after %s to call", crisis_id, current)
                continue
            timeline_record(
                Crisis.objects.get(pk=crisis_id),
                EventKind.LEVEL_ESCALATED,
                at=now,
                data={"from": current, "to": level},
            )
            transaction.on_commit(partial(_enqueue_level, crisis_id, level, current), robust=True)
            claimed.append((crisis_id, level))
    return claimed


def _enqueue_level(crisis_id: int, level: int, previous: int) -> None:
    try:
        enqueue(NOTIFY_LEVEL_TASK, crisis_id, level, queue="crisis")
    except Exception:  # the broker is down: give the claim back so the next pass retries
        logger.warning(
            "broker unavailable; crisis %s level %s not enqueued", crisis_id, level, exc_info=True
        )
        overdue = timezone.now() - timedelta(minutes=settings.SEMAFORO["CRISIS_ACK_MINUTES"])
        Crisis.objects.filter(pk=crisis_id, contact_level=level).update(
            contact_level=previous, level_notified_at=overdue
        )
