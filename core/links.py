"""Signed, expiring links for people without an account (a customer, a department, a member of
the committee in a chat tool).

A link carries a row's id signed with a purpose-specific salt, so a link for one purpose never
opens another, and a tampered or too old one is told apart for the page to say which.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, TypeVar

from django.conf import settings
from django.core import signing
from django.db.models import Model, QuerySet
from django.urls import reverse

M = TypeVar("M", bound=Model)

#: The ``SEMAFORO`` settings that say for how many days a purpose's links hold.
LinkDaysSetting = Literal["SATISFACTION_LINK_DAYS", "DEPARTMENT_LINK_DAYS"]


class LinkError(Exception):
    """A link that was tampered with (``expired`` False) or is too old."""

    def __init__(self, *, expired: bool):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def link_token(pk: int, *, salt: str) -> str:
    return signing.dumps({"id": pk}, salt=salt, compress=True)


def link_id(token: str, *, salt: str, max_age_days: int) -> int | None:
    """The id a token names, or LinkError."""
    try:
        data = signing.loads(token, salt=salt, max_age=timedelta(days=max_age_days))
    except signing.SignatureExpired:
        raise LinkError(expired=True) from None
    except signing.BadSignature:
        raise LinkError(expired=False) from None
    return data.get("id")


@dataclass(frozen=True)
class SignedLink:
    """The links of one purpose: the page they open (``url_name``, which takes the token) and
    the ``SEMAFORO`` setting that says for how many days they hold."""

    salt: str
    url_name: str
    max_age_setting: LinkDaysSetting

    def token(self, pk: int) -> str:
        return link_token(pk, salt=self.salt)

    def url(self, pk: int) -> str:
        """The absolute link, for a mail or a chat message."""
        return f"{settings.SEMAFORO_BASE_URL}{reverse(self.url_name, args=[self.token(pk)])}"

    def row(self, token: str, rows: QuerySet[M]) -> M:
        """The row of ``rows`` the token names, or LinkError; a row that is gone reads as a
        tampered link."""
        pk = link_id(token, salt=self.salt, max_age_days=settings.SEMAFORO[self.max_age_setting])
        found = rows.filter(pk=pk).first()
        if found is None:
            raise LinkError(expired=False)
        return found
