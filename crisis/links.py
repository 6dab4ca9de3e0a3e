"""The links a committee member receives: the crisis room, and two acknowledgement links.

The mail link is personal and needs its person logged in; the chat button's link names one
member's notice and is the credential itself (nobody is logged in in a chat tool). Each has its
own salt, so a mail link never works as a button.
"""

from typing import Final

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from core.links import LinkError, link_id, link_max_age, link_token
from crisis.models import Crisis, CrisisNotification

ACK_SALT = "semaforo.crisis-ack"
#: The chat button's token names one member's notice; its own salt, so a mail link (which
#: needs the person logged in) never works as a button that needs nobody logged in.
CHAT_ACK_SALT = "semaforo.crisis-ack-chat"
#: How long both acknowledgement links hold (hours, ``SEMAFORO_CRISIS_ACK_LINK_H``).
ACK_LINK_HOURS: Final = "CRISIS_ACK_LINK_H"


class AckLinkError(Exception):
    """An acknowledgement link tampered with, expired, (``not_yours``) another person's, or
    (``used``) one that has acknowledged already."""

    def __init__(
        self, message: str, *, not_yours: bool = False, expired: bool = False, used: bool = False
    ):
        super().__init__(message)
        self.not_yours = not_yours
        self.expired = expired
        self.used = used


def room_url(crisis: Crisis) -> str:
    return f"{settings.SEMAFORO_BASE_URL}{reverse('crisis-room', args=[crisis.pk])}"


def ack_token(crisis: Crisis, user) -> str:
    return signing.dumps({"c": crisis.pk, "u": user.pk}, salt=ACK_SALT, compress=True)


def ack_url(crisis: Crisis, user) -> str:
    return f"{settings.SEMAFORO_BASE_URL}{reverse('crisis-ack', args=[ack_token(crisis, user)])}"


def crisis_from_ack_token(token: str, *, user) -> Crisis:
    """The crisis a link names, only for the person it was sent to (who must be logged in)."""
    try:
        data = signing.loads(token, salt=ACK_SALT, max_age=link_max_age(ACK_LINK_HOURS))
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


def notification_id_from_chat_token(token: str) -> int | None:
    """The notice a chat button names; AckLinkError (``expired`` set) for a bad or old token."""
    try:
        return link_id(token, salt=CHAT_ACK_SALT, max_age=link_max_age(ACK_LINK_HOURS))
    except LinkError as error:
        raise AckLinkError(
            _("This link has expired.")
            if error.expired
            else _("This link is not valid or has expired."),
            expired=error.expired,
        ) from None
