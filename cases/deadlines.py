"""The deadline watch: each clock of an open case warns before its deadline and again at it,
each once, to the assignee and the brand's supervisors.

Beat runs ``deadline_alarms_claim`` every minute. The claim is one query on the partial index
``case_alarm_watch`` (the cases with something still to tell, by when), so a pass costs what is
due, not what the table holds. The taxonomy's other half of the rule, an overdue author's new
comments turning yellow, is applied at intake (``clocks.response_overdue``).
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
from cases import clocks
from cases.models import AuditAction, AuditEvent, Case
from core.bulk import update_rows
from core.queueing import each_isolated, error_text, publish_in_chunks, retry_alone
from core.text import one_line

#: The task that tells people of the alarms claimed (``cases.tasks``).
ALERT_TASK = "cases.tasks.alert_deadlines"

logger = logging.getLogger(__name__)

CLAIM_BATCH = 500
PUBLISH_CHUNK = 25
_MARKS = (
    "response_warned_at",
    "response_breached_at",
    "resolution_warned_at",
    "resolution_breached_at",
    "alarm_at",
)


def deadline_alarms_claim(*, now=None) -> list[list]:
    """Claim the cases whose alarm time came, mark what each must tell, re-arm them, and send
    the alarms after commit. Returns them as ``[case_id, clock, breach]``."""
    now = now or timezone.now()
    with transaction.atomic():
        cases = list(
            Case.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("brand")
            .filter(alarm_at__lte=now)
            .order_by("alarm_at")[:CLAIM_BATCH]
        )
        alarms: list[list] = []
        events = []
        for case in cases:
            for clock, breach in clocks.alarms_due(case, now=now):
                alarms.append([case.pk, clock, breach])
                events.append(
                    AuditEvent(
                        action=AuditAction.DEADLINE_BREACHED
                        if breach
                        else AuditAction.DEADLINE_WARNED,
                        case=case,
                        after={"clock": clock},
                        created_at=now,
                    )
                )
        update_rows(
            Case,
            [{"id": case.pk, **{name: getattr(case, name) for name in _MARKS}} for case in cases],
        )
        AuditEvent.objects.bulk_create(events)
        if alarms:
            transaction.on_commit(partial(_enqueue_alerts, alarms, now), robust=True)
    return alarms


def _enqueue_alerts(alarms: list[list], now) -> None:
    publish_in_chunks(ALERT_TASK, alarms, chunk=PUBLISH_CHUNK, release=partial(_release, now=now))


def _release(unsent: list[list], *, now) -> None:
    """The broker refused these: unmark them, and the next pass claims them again."""
    for case_id, clock, breach in unsent:
        mark = f"{clock}_breached_at" if breach else f"{clock}_warned_at"
        Case.objects.filter(pk=case_id).update(**{mark: None, "alarm_at": now})


def deadline_alerts_send(*, alarms: list[list]) -> int:
    """Send each alarm of a chunk on its own (``each_isolated``): one whose mail raises is
    recorded with its error on its case and retried alone, and none already sent goes again."""
    sent: list[list] = []

    def alert(alarm: list) -> None:
        case_id, clock, breach = alarm
        if deadline_alert(case_id=case_id, clock=clock, breach=breach):
            sent.append(alarm)

    each_isolated(alarms, alert, failed=_alert_failed)
    return len(sent)


def _alert_failed(alarm: list, error: Exception) -> None:
    case_id = alarm[0]
    Case.objects.filter(pk=case_id).update(
        alert_attempts=F("alert_attempts") + 1, alert_error=error_text(error)
    )
    attempts = Case.objects.values_list("alert_attempts", flat=True).get(pk=case_id)
    retry_alone(ALERT_TASK, alarm, attempts=attempts)


def deadline_alert(*, case_id: int, clock: str, breach: bool) -> bool:
    """Mail the assignee and the brand's supervisors; False when the clock stopped since."""
    case = Case.objects.select_related("author", "assignee", "brand").get(pk=case_id)
    stopped = (
        case.responded_at is not None if clock == clocks.RESPONSE else case.paused_at is not None
    )
    if not case.is_open or stopped:
        return False
    recipients = sorted(
        {
            *supervisor_emails(case.brand_id),
            *([case.assignee.email] if case.assignee and case.assignee.email else []),
        }
    )
    if not recipients:
        logger.warning("case %s: %s alarm and nobody to tell", case.pk, clock)
        return False
    due = getattr(case, f"{clock}_due_at")
    url = f"{settings.SEMAFORO_BASE_URL}{reverse('case-detail', args=[case.pk])}"
    with translation.override(case.brand.language):
        subject = one_line(_subject(case.pk, clock, breach))
        body = _(
            "Case #%(case)s (%(level)s, %(handle)s): %(what)s was due %(due)s; "
            "the case is %(status)s.\nAssigned to: %(assignee)s\n\n%(url)s\n"
        ) % {
            "case": case.pk,
            "level": case.get_level_display(),
            "handle": case.author.handle,
            "what": _("the first response") if clock == clocks.RESPONSE else _("the resolution"),
            "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
            "status": case.get_status_display(),
            "assignee": case.assignee.get_username() if case.assignee else _("nobody"),
            "url": url,
        }
    send_mail(subject, body, None, recipients)
    return True


def _subject(case_id: int, clock: str, breach: bool) -> str:
    subjects = {
        (clocks.RESPONSE, False): _("[Semáforo] Case #%(case)s: first response due soon"),
        (clocks.RESPONSE, True): _("[Semáforo] Case #%(case)s: first response is late"),
        (clocks.RESOLUTION, False): _("[Semáforo] Case #%(case)s: resolution due soon"),
        (clocks.RESOLUTION, True): _("[Semáforo] Case #%(case)s: resolution is late"),
    }
    return subjects[(clock, breach)] % {"case": case_id}
