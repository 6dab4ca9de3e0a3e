"""Acknowledging a crisis: a called member says "I'm on it", from the mail link, the chat
button, the API or the room; that stops the call to the next contact level."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.access import crisis_brand_ids
from core.errors import DomainError
from crisis.links import AckLinkError, notification_id_from_chat_token, room_url
from crisis.models import Crisis, CrisisNotification, EventKind
from crisis.timeline import timeline_record


def crisis_acknowledge_by_chat(*, token: str, now=None) -> CrisisNotification:
    """A member pressed the button of the chat message: the signed token is the credential
    (nobody is logged in in a chat tool), so it acts once. AckLinkError with ``used`` set when
    that member's notice is acknowledged already (by this button or any other way): the
    button never acts twice. AckLinkError (``expired`` set) for a bad or old token, or a
    member who has since left the committee."""
    notification_id = notification_id_from_chat_token(token)
    notice = (
        CrisisNotification.objects.select_related("crisis", "user")
        .filter(pk=notification_id)
        .first()
        if notification_id is not None
        else None  # a signed token without an id names no notice
    )
    if notice is None or notice.crisis.brand_id not in crisis_brand_ids(notice.user):
        raise AckLinkError(_("This link is not valid or has expired."))
    if not crisis_acknowledge(crisis_id=notice.crisis_id, user=notice.user, now=now):
        raise AckLinkError(
            _("This link was already used: you acknowledged this crisis."), used=True
        )
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
    assert notice.acknowledged_at is not None, (
        "an acknowledgement answers a notice crisis_acknowledge_notified has acknowledged"
    )
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
        timeline_record(
            Crisis.objects.get(pk=crisis_id), EventKind.ACKNOWLEDGED, at=now, actor=user
        )
    return True
