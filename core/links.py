"""Signed, expiring links for people without an account (a customer, a department, a member of
the committee in a chat tool).

A link carries a row's id signed with a purpose-specific salt, so a link for one purpose never
opens another, and a tampered or too old one is told apart for the page to say which.

Such a link is a bearer credential: whoever holds it (a forwarded mail, a proxy's log) may use
it. So it lives hours, not days (each purpose's ``*_LINK_H`` setting), and it acts once: the
domain function that acts through it refuses a second time with ``LinkError(used=True)``, and
the page says the link was already used. Opening it (a GET, which mail scanners do) never acts.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, TypeVar

from django.conf import settings
from django.core import signing
from django.db.models import Model, QuerySet
from django.urls import reverse

M = TypeVar("M", bound=Model)

#: The ``SEMAFORO`` settings that say for how many hours a purpose's links hold.
LinkHoursSetting = Literal["SATISFACTION_LINK_H", "DEPARTMENT_LINK_H", "CRISIS_ACK_LINK_H"]


class LinkError(Exception):
    """A link that was tampered with, is too old (``expired``), or has done what it was sent
    for already (``used``)."""

    def __init__(self, *, expired: bool = False, used: bool = False):
        super().__init__("used" if used else "expired" if expired else "invalid")
        self.expired = expired
        self.used = used

    @property
    def reason(self) -> str:
        """What the page says: ``invalid``, ``expired`` or ``used``."""
        return str(self)


def link_max_age(setting: LinkHoursSetting) -> timedelta:
    return timedelta(hours=settings.SEMAFORO[setting])


def link_token(pk: int, *, salt: str) -> str:
    return signing.dumps({"id": pk}, salt=salt, compress=True)


def link_id(token: str, *, salt: str, max_age: timedelta) -> int | None:
    """The id a token names, or LinkError."""
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkError(expired=True) from None
    except signing.BadSignature:
        raise LinkError(expired=False) from None
    return data.get("id")


@dataclass(frozen=True)
class SignedLink:
    """The links of one purpose: the page they open (``url_name``, which takes the token) and
    the ``SEMAFORO`` setting that says for how many hours they hold."""

    salt: str
    url_name: str
    max_age_setting: LinkHoursSetting

    def token(self, pk: int) -> str:
        return link_token(pk, salt=self.salt)

    def url(self, pk: int) -> str:
        """The absolute link, for a mail or a chat message."""
        return f"{settings.SEMAFORO_BASE_URL}{reverse(self.url_name, args=[self.token(pk)])}"

    def row(self, token: str, rows: QuerySet[M]) -> M:
        """The row of ``rows`` the token names, or LinkError; a row that is gone reads as a
        tampered link."""
        pk = link_id(token, salt=self.salt, max_age=link_max_age(self.max_age_setting))
        found = rows.filter(pk=pk).first()
        if found is None:
            raise LinkError(expired=False)
        return found
