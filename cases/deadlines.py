"""Deadlines: an open case past its due time is told, once, to its assignee and supervisors.

Beat runs ``deadline_breaches_claim`` every minute. The claim is one query on the partial index
``case_deadline_watch`` (open cases not yet alerted), so a pass costs what is overdue. The
taxonomy's other half of the rule, an overdue author's new comments turning yellow, is applied
at intake.
"""

import logging
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brands.access import supervisor_emails
from cases.models import OPEN_CASE_STATUSES, AuditAction, AuditEvent, Case
from core.queueing import claim_due, each_isolated, error_text, publish_in_chunks, retry_alone
from core.text import one_line

#: The task that tells people of the breaches claimed (``cases.tasks``).
ALERT_TASK = "cases.tasks.alert_deadline_breaches"

logger = logging.getLogger(__name__)

CLAIM_BATCH = 500
PUBLISH_CHUNK = 25


def deadline_breaches_claim(*, now=None) -> list[int]:
    """Claim the open cases that passed their deadline unannounced; alert them after commit."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = claim_due(
            Case.objects.filter(
                breach_alerted_at=None, status__in=OPEN_CASE_STATUSES, due_at__lt=now
            ),
            order_by="due_at",
            limit=CLAIM_BATCH,
            mark={"breach_alerted_at": now},
        )
        if ids:
            AuditEvent.objects.bulk_create(
                AuditEvent(action=AuditAction.DEADLINE_BREACHED, case_id=pk, created_at=now)
                for pk in ids
            )
            transaction.on_commit(partial(_enqueue_alerts, ids), robust=True)
    return ids


def _enqueue_alerts(ids: list[int]) -> None:
    publish_in_chunks(
        ALERT_TASK,
        ids,
        chunk=PUBLISH_CHUNK,
        release=lambda rest: Case.objects.filter(pk__in=rest).update(breach_alerted_at=None),
    )


def deadline_breaches_alert(*, case_ids: list[int]) -> int:
    """Alert each case of a chunk on its own (``each_isolated``): one whose mail raises is
    recorded with its error and retried alone, and no case already mailed is mailed again."""
    alerted: list[int] = []

    def alert(pk: int) -> None:
        if deadline_breach_alert(case_id=pk):
            alerted.append(pk)

    each_isolated(case_ids, alert, failed=_alert_failed)
    return len(alerted)


def _alert_failed(case_id: int, error: Exception) -> None:
    Case.objects.filter(pk=case_id).update(
        breach_alert_attempts=F("breach_alert_attempts") + 1, breach_alert_error=error_text(error)
    )
    attempts = Case.objects.values_list("breach_alert_attempts", flat=True).get(pk=case_id)
    retry_alone(ALERT_TASK, case_id, attempts=attempts)


def deadline_breach_alert(*, case_id: int) -> bool:
    """Mail the assignee and the brand's supervisors; False when the case was dealt with since."""
    case = Case.objects.select_related("author", "assignee", "brand").get(pk=case_id)
    if not case.is_open:
        return False
    recipients = sorted(
        {
            *supervisor_emails(case.brand_id),
            *([case.assignee.email] if case.assignee and case.assignee.email else []),
        }
    )
    if not recipients:
        logger.warning("case %s is overdue and its brand has nobody to tell", case.pk)
        return False
    url = f"{settings.SEMAFORO_BASE_URL}{reverse('case-detail', args=[case.pk])}"
    with translation.override(case.brand.language):
        subject = one_line(_("[Semáforo] Case #%(case)s is past its deadline") % {"case": case.pk})
        body = _(
            "Case #%(case)s (%(level)s, %(handle)s) was due %(due)s and is still %(status)s.\n"
            "Assigned to: %(assignee)s\n\n%(url)s\n"
        ) % {
            "case": case.pk,
            "level": case.get_level_display(),
            "handle": case.author.handle,
            "due": timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M"),
            "status": case.get_status_display(),
            "assignee": case.assignee.get_username() if case.assignee else _("nobody"),
            "url": url,
        }
    send_mail(subject, body, None, recipients)
    return True
