"""Signed, expiring links for people without an account (a customer, a department).

The link carries the row's id signed with a purpose-specific salt, so a link for one purpose
never opens another, and a tampered or too old one is told apart for the page to say which.
"""

from datetime import timedelta

from django.core import signing


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
