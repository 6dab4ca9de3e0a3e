"""The desk's e-mail outbox: department requests and reminders, follow-up prompts, deadline
alerts. Each mail is a ``Mail`` row written whole in the transaction that decided it and sent
once in effect by ``outbound.outbox``: claimed, sent, marked; retried with backoff across a mail
server outage; swept when the broker lost its message.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from core.bulk import insert_rows
from core.queueing import publish_in_chunks
from core.text import one_line
from outbound import outbox
from outbound.models import Mail, MailKind

#: The task that sends a chunk of mails (``outbound.tasks``).
SEND_TASK = "outbound.tasks.send_mails"
SUBJECT_CHARS = 250

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """One mail to promise: for ``mails_create``."""

    brand_id: int
    kind: MailKind
    key: str
    to: Iterable[str]
    subject: str
    body: str
    about: str = ""


def mail_create(
    *,
    brand_id: int,
    kind: MailKind,
    key: str,
    to: Iterable[str],
    subject: str,
    body: str,
    about: str = "",
) -> int | None:
    """``mails_create`` of one mail: its id, or None when it has nobody to go to or its key was
    used before."""
    ids = mails_create([Outgoing(brand_id, kind, key, to, subject, body, about)])
    return ids[0] if ids else None


def mails_create(mails: Iterable[Outgoing]) -> list[int]:
    """Promise to send each mail; call inside the transaction that decides them, and they are
    sent after commit (or by the sweep). One insert for all. A key used before is skipped (its
    mail was promised already), as is a mail with nobody to go to. Answers the new mails' ids.

    Subjects are made one line and bounded here: a customer's words may be in them.
    """
    now = timezone.now()
    rows = []
    for mail in mails:
        recipients = sorted({a.strip() for a in mail.to if a and a.strip()})
        if not recipients:
            logger.warning("%s %s: nobody to send it to", mail.kind, mail.key)
            continue
        rows.append(
            {
                "brand_id": mail.brand_id,
                "kind": mail.kind,
                "key": mail.key,
                "to": recipients,
                "subject": one_line(mail.subject, max_length=SUBJECT_CHARS),
                "body": mail.body,
                "about": mail.about,
                "created_at": now,
                "next_attempt_at": now,
            }
        )
    ids = [pk for (pk,) in insert_rows(Mail, rows, ignore_conflicts=True)]
    if ids:
        transaction.on_commit(partial(mails_enqueue, ids), robust=True)
    return ids


def mails_enqueue(mail_ids: list[int]) -> int:
    """Hand mails to a worker; on a broker error they wait for the sweep."""
    return publish_in_chunks(SEND_TASK, mail_ids, chunk=outbox.PUBLISH_CHUNK)


def mails_send(*, mail_ids: Iterable[int]) -> int:
    """Send each mail of a chunk on its own; answer how many went. One that fails keeps its
    error and is tried again later; none already sent goes twice."""
    return len(outbox.outbox_send(Mail.objects.all(), mail_ids, _send, timeout=_timeout()))


def _send(mail: Mail) -> None:
    with get_connection() as connection:
        EmailMessage(mail.subject, mail.body, to=mail.to, connection=connection).send()


def mails_sweep(*, now=None) -> int:
    """Beat: hand out again the mails due that nobody holds (broker down at commit, a worker
    that died, a retry that came due)."""
    return outbox.outbox_sweep(Mail.objects.all(), SEND_TASK, timeout=_timeout(), now=now)


def mails_withdraw(*, key_prefix: str) -> int:
    """Take back the mails not sent nor being sent whose key starts with ``key_prefix`` (what
    they say stopped being true, e.g. a deadline met); answer how many."""
    withdrawn, _ = (
        outbox.pending(Mail.objects.filter(key__startswith=key_prefix))
        .filter(claimed_at=None)
        .delete()
    )
    return withdrawn


def mails_with_errors(*, brand_ids: Iterable[int]) -> QuerySet[Mail]:
    """The brands' mails that failed and are not sent (dead letters first, then the newest):
    for supervisors to see what did not reach its people, and why."""
    return (
        outbox.with_errors(Mail.objects.filter(brand_id__in=list(brand_ids)))
        .select_related("brand")
        .order_by(F("failed_at").desc(nulls_last=True), "-created_at")
    )


def _timeout():
    return outbox.claim_timeout()
