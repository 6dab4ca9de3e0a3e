"""Crises: reds grouped by what they are about, the committee called in by contact level, and
every step written on the crisis timeline.

Join rule (``crisis_open_or_join``): an escalated red joins the brand's open crisis that
(1) holds its ripple, else (2) shares its subject key — the first red-making signal of its
reasons (``authority_mention``, ``health_safety``, ``reach``…, falling back to the category) —
and received a red within ``SEMAFORO_CRISIS_JOIN_MIN``; otherwise it opens a crisis. A ripple's
key is the ripple itself, so two different ripples never merge. Opening locks the brand's row,
so two crisis workers handling two reds of the same wave cannot open two crises.

Acknowledgement: level 1 of the committee is notified when the crisis opens; a beat task calls
``crises_escalate_unacknowledged``, which claims (conditional UPDATE) each crisis nobody
acknowledged within ``SEMAFORO_CRISIS_ACK_MINUTES`` and calls the next level that has members.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brands.models import Brand, Membership
from brands.roles import Role
from classifier.signals import HIGH_LEVEL_SIGNALS
from comments import classification
from comments.models import Comment
from core.errors import DomainError
from core.links import LinkError, link_id, link_token
from core.queueing import enqueue
from crisis.models import (
    UNACKNOWLEDGED_STATUSES,
    Crisis,
    CrisisEvent,
    CrisisNotification,
    CrisisStatus,
    Escalation,
    EventKind,
    Severity,
)
from outbound.delivery import delivery_create
from outbound.models import Purpose

#: The task that calls one contact level of the committee (``crisis.tasks``).
NOTIFY_LEVEL_TASK = "crisis.tasks.notify_level"

logger = logging.getLogger(__name__)

MAX_LEVEL = 3
#: A crisis with this many reds is critical even without a ripple.
CRITICAL_REDS = 5
#: Signals that make a comment red, most telling first: the first one found names the subject.
SUBJECT_SIGNALS = (*HIGH_LEVEL_SIGNALS, "violence_threat", "reach")
ACK_SALT = "semaforo.crisis-ack"
#: The chat button's token names one member's notice; its own salt, so a mail link (which
#: needs the person logged in) never works as a button that needs nobody logged in.
CHAT_ACK_SALT = "semaforo.crisis-ack-chat"
ACK_LINK_MAX_AGE = timedelta(days=2)
WATCH_BATCH = 200


# --- open or join ---------------------------------------------------------------------------


def subject_of(comment: Comment, *, language: str) -> tuple[str, str]:
    """``(key, label)``: what a red is about, as far as joining a crisis goes. The label is
    written once, for the brand's committee, so in the brand's language and in the words the
    queue uses for reasons, never a signal's code."""
    with translation.override(language):
        if comment.ripple_id:
            words = ", ".join(
                classification.term_label(str(term)) for term in (comment.ripple.subject or [])[:4]
            )
            return f"ripple:{comment.ripple_id}", _("Ripple #%(id)s: %(words)s") % {
                "id": comment.ripple_id,
                "words": words or "—",
            }
        evidence = {}
        for reason in comment.reasons or []:
            evidence.setdefault(reason.get("signal"), reason.get("evidence", ""))
        signal = next((signal for signal in SUBJECT_SIGNALS if signal in evidence), None)
        if signal is not None:
            return signal, signal_subject(signal, evidence[signal])
        return f"category:{comment.category}", str(comment.get_category_display())


def signal_subject(signal: str, evidence: str) -> str:
    """A signal's subject in the active language: "Salud o seguridad: “groped”"."""
    return f"{classification.signal_label(signal)}: “{evidence}”"[:255]


def crisis_open_or_join(*, escalation_id: int, now=None) -> tuple[Crisis, bool]:
    """The crisis this escalation belongs to, opening one if none fits; ``(crisis, opened)``."""
    return crises_open_or_join(escalation_ids=[escalation_id], now=now)[escalation_id]


def crises_open_or_join(*, escalation_ids: list[int], now=None) -> dict[int, tuple[Crisis, bool]]:
    """Attach each escalation to its crisis, opening crises where none fits, in one
    transaction: ``{escalation_id: (crisis, opened)}``.

    Idempotent: an escalation already attached answers its crisis. Runs in the crisis worker,
    never at intake, on the chunk of reds one task carries, so a wave of reds about one thing
    costs one lookup, one update of the crisis and one insert of timeline rows per chunk, not
    per red.
    """
    now = now or timezone.now()
    answer: dict[int, tuple[Crisis, bool]] = {}
    with transaction.atomic():
        escalations = list(
            Escalation.objects.select_for_update(of=("self",))
            .select_related("comment__ripple", "crisis")
            .filter(pk__in=escalation_ids)
            .order_by("comment__posted_at", "pk")
        )
        fresh = [e for e in escalations if e.crisis_id is None]
        for escalation in escalations:
            if escalation.crisis_id is not None:
                answer[escalation.pk] = (escalation.crisis, False)
        if not fresh:
            return answer
        # One opener per brand at a time: without it two workers could each find no open
        # crisis for the same wave and open two. Sorted, so two chunks never deadlock.
        brands = {
            brand.pk: brand
            for brand in Brand.objects.select_for_update()
            .filter(pk__in=sorted({e.comment.brand_id for e in fresh}))
            .order_by("pk")
        }
        touched: dict[int, Crisis] = {}
        joined: dict[int, list[Escalation]] = {}
        events = []
        for escalation in fresh:
            comment = escalation.comment
            key, label = subject_of(comment, language=brands[comment.brand_id].language)
            crisis = _touched_crisis_for(touched.values(), comment, key) or _open_crisis_for(
                comment, key, now
            )
            if crisis is None:
                crisis = Crisis.objects.create(
                    brand_id=comment.brand_id,
                    subject=label,
                    subject_key=key,
                    severity=Severity.CRITICAL if comment.ripple_id else Severity.HIGH,
                    ripple_id=comment.ripple_id,
                    escalations_count=1,
                    first_comment_at=_first_posted(comment),
                    last_escalation_at=now,
                    opened_at=now,
                )
                touched[crisis.pk] = crisis
                answer[escalation.pk] = (crisis, True)
                events.append(
                    CrisisEvent(
                        crisis=crisis,
                        kind=EventKind.OPENED,
                        at=now,
                        text=label,
                        data=_about(escalation),
                    )
                )
            else:
                touched.setdefault(crisis.pk, crisis)
                joined.setdefault(crisis.pk, []).append(escalation)
                answer[escalation.pk] = (crisis, False)
                events.append(
                    CrisisEvent(
                        crisis=crisis,
                        kind=EventKind.JOINED,
                        at=now,
                        text=comment.text[:280],
                        data=_about(escalation),
                    )
                )
            escalation.crisis = crisis
        for crisis_id, rows in joined.items():
            crisis = touched[crisis_id]
            first = min(_first_posted(e.comment) for e in rows)
            Crisis.objects.filter(pk=crisis_id).update(
                escalations_count=F("escalations_count") + len(rows),
                last_escalation_at=now,
                first_comment_at=Least("first_comment_at", Value(first)),
                severity=Case(
                    When(
                        escalations_count__gte=CRITICAL_REDS - len(rows),
                        then=Value(Severity.CRITICAL),
                    ),
                    default=F("severity"),
                ),
            )
            crisis.refresh_from_db()
        CrisisEvent.objects.bulk_create(events)
        for crisis_id in touched:
            Escalation.objects.filter(
                pk__in=[e.pk for e in fresh if e.crisis_id == crisis_id]
            ).update(crisis_id=crisis_id)
    return answer


def _about(escalation: Escalation) -> dict:
    return {"comment": escalation.comment_id, "escalation": escalation.pk}


def _touched_crisis_for(crises, comment: Comment, key: str) -> Crisis | None:
    """A crisis this chunk already opened or joined that the comment belongs to (same rule)."""
    crises = [c for c in crises if c.brand_id == comment.brand_id]
    if comment.ripple_id:
        for crisis in crises:
            if crisis.ripple_id == comment.ripple_id:
                return crisis
    return next((c for c in crises if c.subject_key == key), None)


def _open_crisis_for(comment: Comment, key: str, now) -> Crisis | None:
    open_crises = Crisis.objects.filter(brand_id=comment.brand_id).exclude(
        status=CrisisStatus.CLOSED
    )
    if comment.ripple_id:
        found = open_crises.filter(ripple_id=comment.ripple_id).order_by("opened_at").first()
        if found is not None:
            return found
    window = timedelta(minutes=settings.SEMAFORO["CRISIS_JOIN_MIN"])
    return (
        open_crises.filter(subject_key=key, last_escalation_at__gte=now - window)
        .order_by("opened_at")
        .first()
    )


def _first_posted(comment: Comment):
    """The earliest posting of the wave: for a ripple its first member, else the comment."""
    if comment.ripple_id:
        return min(comment.ripple.first_at, comment.posted_at)
    return comment.posted_at


def _event(
    crisis: Crisis, kind: str, *, at=None, actor=None, text: str = "", data: dict | None = None
) -> CrisisEvent:
    return CrisisEvent.objects.create(
        crisis=crisis, kind=kind, at=at or timezone.now(), actor=actor, text=text, data=data or {}
    )


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

    Each member's row is claimed before their mail and marked sent after it: a retry (or the
    sweep) mails only those not marked, and a worker killed between the two re-sends to that
    one member only after ``SEMAFORO_CRISIS_CLAIM_TIMEOUT_S``.
    """
    crisis = Crisis.objects.select_related("brand").get(pk=crisis_id)
    seats = list(committee_memberships(brand_id=crisis.brand_id, level=level))
    told = dict(CrisisNotification.objects.filter(crisis=crisis).values_list("user_id", "sent_at"))
    pending = [seat for seat in seats if told.get(seat.user_id) is None]
    sent_now: list[str] = []
    if pending:  # the common case of a red joining a crisis already told skips all of this
        CrisisNotification.objects.bulk_create(
            [
                CrisisNotification(crisis=crisis, user=seat.user, level=level)
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
        sent_now = [
            seat.user.email or seat.user.get_username()
            for seat in pending
            if _notify_member(crisis, seat.user, level, comment)
        ]
    now = timezone.now()
    if not seats:
        # Nobody to tell at this level: mark it overdue so the next watch pass calls the next
        # level with members instead of waiting for an acknowledgement that cannot come.
        logger.warning("crisis %s: nobody at contact level %s", crisis.pk, level)
        overdue = now - timedelta(minutes=settings.SEMAFORO["CRISIS_ACK_MINUTES"])
        Crisis.objects.filter(pk=crisis.pk, level_notified_at=None).update(
            level_notified_at=overdue
        )
    elif (
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
        _event(
            crisis,
            EventKind.NOTIFIED,
            at=now,
            text=", ".join(sent_now),
            data={"level": level, "recipients": sent_now},
        )
    return sorted(
        CrisisNotification.objects.filter(crisis=crisis, level=level, sent_at__isnull=False)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


def _notify_member(crisis: Crisis, user, level: int, comment: Comment | None) -> bool:
    """Claim this member's notice, mail it, mark it sent; False when another worker has it."""
    claimed_at = timezone.now()
    claimed = CrisisNotification.objects.filter(
        Q(claimed_at=None) | Q(claimed_at__lt=claimed_at - _claim_timeout()),
        crisis=crisis,
        user=user,
        sent_at=None,
    ).update(claimed_at=claimed_at)
    if not claimed:
        return False
    if user.email:
        try:
            _mail_member(crisis, user, level, comment)
        except Exception:
            CrisisNotification.objects.filter(crisis=crisis, user=user).update(claimed_at=None)
            raise
    CrisisNotification.objects.filter(crisis=crisis, user=user).update(sent_at=timezone.now())
    return True


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
        "subject": crisis.subject,
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
        "comment": comment.text[:500] if comment else "",
    }


def room_url(crisis: Crisis) -> str:
    return f"{settings.SEMAFORO_BASE_URL}{reverse('crisis-room', args=[crisis.pk])}"


def _mail_member(crisis: Crisis, user, level: int, comment: Comment | None) -> None:
    with translation.override(crisis.brand.language):
        subject = _("[Semáforo] CRISIS #%(id)s (%(brand)s): %(subject)s") % {
            "id": crisis.pk,
            "brand": crisis.brand.name,
            "subject": crisis.subject,
        }
        lines = [
            _("A crisis needs the committee now (contact level %(level)s).") % {"level": level},
            "",
        ]
        if comment is not None:
            reasons = "\n".join(f"- {r['signal']}: {r['evidence']}" for r in comment.reasons)
            lines += [
                comment.text,
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


# --- acknowledge ----------------------------------------------------------------------------


class AckLinkError(Exception):
    """An acknowledgement link tampered with, expired, or (``not_yours``) another person's."""

    def __init__(self, message: str, *, not_yours: bool = False, expired: bool = False):
        super().__init__(message)
        self.not_yours = not_yours
        self.expired = expired


def ack_token(crisis: Crisis, user) -> str:
    return signing.dumps({"c": crisis.pk, "u": user.pk}, salt=ACK_SALT, compress=True)


def ack_url(crisis: Crisis, user) -> str:
    return f"{settings.SEMAFORO_BASE_URL}{reverse('crisis-ack', args=[ack_token(crisis, user)])}"


def crisis_from_ack_token(token: str, *, user) -> Crisis:
    """The crisis a link names, only for the person it was sent to (who must be logged in)."""
    try:
        data = signing.loads(token, salt=ACK_SALT, max_age=ACK_LINK_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired included
        raise AckLinkError(_("This link is not valid or has expired.")) from None
    if data.get("u") != user.pk:
        raise AckLinkError(_("This link was sent to another committee member."), not_yours=True)
    if not CrisisNotification.objects.filter(crisis_id=data.get("c"), user=user).exists():
        raise AckLinkError(_("This link is not valid or has expired."))
    return Crisis.objects.select_related("brand").get(pk=data["c"])


def chat_ack_token(notification_id: int) -> str:
    return link_token(notification_id, salt=CHAT_ACK_SALT)


def chat_ack_url(notification_id: int) -> str:
    path = reverse("crisis-chat-ack", args=[chat_ack_token(notification_id)])
    return f"{settings.SEMAFORO_BASE_URL}{path}"


def crisis_acknowledge_by_chat(*, token: str, now=None) -> CrisisNotification:
    """A member pressed the button of the chat message: the signed token is the credential
    (nobody is logged in in a chat tool). Idempotent: pressing again changes nothing and
    answers the same notice. AckLinkError (``expired`` set) for a bad or old token, or a
    member who has since left the committee."""
    from brands.access import crisis_brand_ids

    try:
        notification_id = link_id(token, salt=CHAT_ACK_SALT, max_age_days=ACK_LINK_MAX_AGE.days)
    except LinkError as error:
        raise AckLinkError(
            _("This link has expired.")
            if error.expired
            else _("This link is not valid or has expired."),
            expired=error.expired,
        ) from None
    notice = (
        CrisisNotification.objects.select_related("crisis", "user")
        .filter(pk=notification_id)
        .first()
    )
    if notice is None or notice.crisis.brand_id not in crisis_brand_ids(notice.user):
        raise AckLinkError(_("This link is not valid or has expired."))
    return crisis_acknowledge_notified(crisis=notice.crisis, user=notice.user, now=now)


def crisis_acknowledge_notified(*, crisis: Crisis, user, now=None) -> CrisisNotification:
    """``crisis_acknowledge`` for someone who must have been called (the API, the chat):
    answers their notice, acknowledged now or before. DomainError when they were not called:
    they take the crisis in hand in the room instead."""
    notice = CrisisNotification.objects.filter(crisis=crisis, user=user).first()
    if notice is None:
        raise DomainError(
            _("You were not called for this crisis: take it in hand in the crisis room instead.")
        )
    crisis_acknowledge(crisis_id=crisis.pk, user=user, now=now)
    notice.refresh_from_db()
    notice.crisis = Crisis.objects.select_related("owner", "acknowledged_by").get(pk=crisis.pk)
    notice.user = user
    return notice


def acknowledgement(notice: CrisisNotification) -> dict:
    """What an acknowledgement answers (chat button, API): the same on every repeat."""
    crisis = notice.crisis
    return {
        "crisis": crisis.pk,
        "member": notice.user.get_username(),
        "acknowledged_at": notice.acknowledged_at.isoformat(),
        "crisis_acknowledged_by": (
            crisis.acknowledged_by.get_username() if crisis.acknowledged_by else None
        ),
        "owner": crisis.owner.get_username() if crisis.owner else None,
        "room": room_url(crisis),
    }


def crisis_acknowledge(*, crisis_id: int, user, now=None) -> bool:
    """A notified member says "I'm on it": stops the call to the next level; the first one to
    acknowledge becomes the owner if there is none. False when they had already acknowledged."""
    now = now or timezone.now()
    with transaction.atomic():
        mine = CrisisNotification.objects.filter(
            crisis_id=crisis_id, user=user, acknowledged_at=None
        ).update(acknowledged_at=now)
        if not mine:
            return False
        Crisis.objects.filter(pk=crisis_id, acknowledged_at=None).update(
            acknowledged_at=now, acknowledged_by=user
        )
        Crisis.objects.filter(pk=crisis_id, owner=None).update(owner=user)
        _event(Crisis.objects.get(pk=crisis_id), EventKind.ACKNOWLEDGED, at=now, actor=user)
    return True


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
            _event(
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


# --- the committee at work ------------------------------------------------------------------

MANAGE = "crisis.manage_crisis"
#: Where each status may be reached from: forward only, and closing needs containment first.
TRANSITIONS = {
    CrisisStatus.RESPONDING: (CrisisStatus.DETECTED, CrisisStatus.COMMITTEE_NOTIFIED),
    CrisisStatus.CONTAINED: (
        CrisisStatus.DETECTED,
        CrisisStatus.COMMITTEE_NOTIFIED,
        CrisisStatus.RESPONDING,
    ),
    CrisisStatus.CLOSED: (CrisisStatus.CONTAINED,),
}
_STAMP = {
    CrisisStatus.RESPONDING: "responding_at",
    CrisisStatus.CONTAINED: "contained_at",
    CrisisStatus.CLOSED: "closed_at",
}


def access_crisis_for(*, crisis_id: int, actor, perm: str = MANAGE, lock: bool = False) -> Crisis:
    """The crisis if ``actor`` may act on it; Crisis.DoesNotExist otherwise (a 404)."""
    from brands.access import crisis_brand_ids

    queryset = Crisis.objects.select_related("brand")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return queryset.get(pk=crisis_id, brand_id__in=sorted(crisis_brand_ids(actor, perm)))


@transaction.atomic
def crisis_transition(*, crisis_id: int, actor, to: str, note: str = "", now=None) -> Crisis:
    """Move a crisis on (responding, contained, closed), stamping the time; closing seeds the
    post-mortem with the measured facts. Any move also counts as taking the crisis in hand."""
    from crisis import postmortem

    now = now or timezone.now()
    crisis = access_crisis_for(crisis_id=crisis_id, actor=actor, lock=True)
    if to not in TRANSITIONS or crisis.status not in TRANSITIONS[to]:
        raise DomainError(
            _("A crisis cannot go from %(from)s to %(to)s.")
            % {"from": crisis.get_status_display(), "to": CrisisStatus(to).label}
        )
    before = crisis.status
    crisis.status = to
    setattr(crisis, _STAMP[to], now)
    if to == CrisisStatus.CONTAINED and crisis.responding_at is None:
        crisis.responding_at = now
    if crisis.acknowledged_at is None:
        crisis.acknowledged_at, crisis.acknowledged_by = now, actor
    crisis.owner = crisis.owner or actor
    crisis.save()
    _event(
        crisis,
        EventKind.STATUS,
        at=now,
        actor=actor,
        text=note.strip(),
        data={"from": before, "to": to},
    )
    if to == CrisisStatus.CLOSED:
        postmortem.postmortem_open(crisis=crisis, now=now)
    return crisis


def crisis_log_decision(
    *, crisis_id: int, actor, decided_by: str, decision: str, decided_at=None
) -> CrisisEvent:
    """Write a decision in the log: who decided what, and when (by default, now)."""
    decision, decided_by = decision.strip(), decided_by.strip()
    if not decision:
        raise DomainError(_("Write what was decided."))
    crisis = access_crisis_for(crisis_id=crisis_id, actor=actor)
    decided_at = decided_at or timezone.now()
    return _event(
        crisis,
        EventKind.DECISION,
        at=decided_at,
        actor=actor,
        text=decision,
        data={"decided_by": decided_by or actor.get_full_name() or actor.username},
    )
