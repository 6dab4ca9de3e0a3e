"""The deadline watch: each clock of an open case warns before its deadline and again at it,
each once, to the assignee and the brand's supervisors.

Beat runs ``deadline_alarms_claim`` every minute. The claim is one query on the partial index
``case_alarm_watch`` (the cases with something still to tell, by when), so a pass costs what is
due, not what the table holds. The claim, the marks and each alarm's mail (``outbound.mails``)
commit together: nothing claimed can be lost on its way to a worker, and the mail outbox sends
each once, across a mail server outage. The taxonomy's other half of the rule, an overdue
author's new comments turning yellow, is applied at intake (``clocks.response_overdue``).
"""

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brands.access import supervisor_emails
from cases import clocks
from cases.models import AuditAction, AuditEvent, Case
from core.bulk import update_rows
from core.queueing import each_isolated, error_text, retry_delay
from outbound.mails import Outgoing, mails_create
from outbound.models import MailKind

logger = logging.getLogger(__name__)

CLAIM_BATCH = 500
_MARKS = (
    "response_warned_at",
    "response_breached_at",
    "resolution_warned_at",
    "resolution_breached_at",
    "alarm_at",
    "alert_attempts",
    "alert_error",
)


def deadline_alarms_claim(*, now=None) -> list[list]:
    """Claim the cases whose alarm time came, mark what each must tell, re-arm them, and
    promise each alarm's mail, in one transaction. Returns them as ``[case_id, clock, breach]``.

    Each case on its own (``each_isolated``): one whose alarm cannot be told (a poisoned row)
    keeps its marks as they were and its error, and is armed again after a backoff; the
    others of the pass are told. A few statements for the whole pass: the marks in one update,
    the audit events and the mails in one insert each.
    """
    now = now or timezone.now()
    with transaction.atomic():
        cases = list(
            Case.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("brand", "author", "assignee")
            .filter(alarm_at__lte=now)
            .order_by("alarm_at")[:CLAIM_BATCH]
        )
        alarms: list[list] = []
        events: list[AuditEvent] = []
        mails: list[Outgoing] = []
        supervisors: dict[int, list[str]] = {}

        def tell(case: Case) -> None:
            before = {name: getattr(case, name) for name in _MARKS}
            try:
                due = clocks.alarms_due(case, now=now)
                told = [_alert(case, clock, breach, supervisors) for clock, breach in due]
            except Exception:
                for name, value in before.items():
                    setattr(case, name, value)
                raise
            case.alert_error = ""
            mails.extend(mail for mail in told if mail is not None)
            for clock, breach in due:
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

        def not_told(case: Case, error: Exception) -> None:
            case.alert_attempts += 1
            case.alert_error = error_text(error)
            case.alarm_at = now + retry_delay(case.alert_attempts)

        each_isolated(cases, tell, failed=not_told)
        update_rows(
            Case,
            [{"id": case.pk, **{name: getattr(case, name) for name in _MARKS}} for case in cases],
        )
        AuditEvent.objects.bulk_create(events)
        mails_create(mails)
    return alarms


def _alert(case: Case, clock: str, breach: bool, supervisors: dict[int, list[str]]):
    """The mail of one alarm, to the assignee and the brand's supervisors (``supervisors``
    caches them per brand for the pass); None when nobody is there to tell."""
    if case.brand_id not in supervisors:
        supervisors[case.brand_id] = supervisor_emails(case.brand_id)
    recipients = sorted(
        {
            *supervisors[case.brand_id],
            *([case.assignee.email] if case.assignee and case.assignee.email else []),
        }
    )
    if not recipients:
        logger.warning("case %s: %s alarm and nobody to tell", case.pk, clock)
        return None
    due = getattr(case, f"{clock}_due_at")
    path = reverse("case-detail", args=[case.pk])
    with translation.override(case.brand.language):
        subject = _subject(case.pk, clock, breach)
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
            "url": f"{settings.SEMAFORO_BASE_URL}{path}",
        }
    return Outgoing(
        brand_id=case.brand_id,
        kind=MailKind.DEADLINE_ALERT,
        key=f"{clocks.alert_key_prefix(case.pk, clock)}{'breach' if breach else 'warn'}:"
        f"{int(due.timestamp())}",
        to=recipients,
        subject=subject,
        body=body,
        about=path,
    )


def _subject(case_id: int, clock: str, breach: bool) -> str:
    subjects = {
        (clocks.RESPONSE, False): _("[Semáforo] Case #%(case)s: first response due soon"),
        (clocks.RESPONSE, True): _("[Semáforo] Case #%(case)s: first response is late"),
        (clocks.RESOLUTION, False): _("[Semáforo] Case #%(case)s: resolution due soon"),
        (clocks.RESOLUTION, True): _("[Semáforo] Case #%(case)s: resolution is late"),
    }
    return subjects[(clock, breach)] % {"case": case_id}


def deadline_alert_promise(*, case_id: int, clock: str, breach: bool) -> bool:
    """Promise the mail of one alarm claimed before the outbox existed (a message of the old
    ``alert_deadlines`` task still queued at the upgrade); False when its clock stopped since."""
    with transaction.atomic():
        case = Case.objects.select_related("author", "assignee", "brand").get(pk=case_id)
        stopped = (
            case.responded_at is not None
            if clock == clocks.RESPONSE
            else case.paused_at is not None
        )
        if not case.is_open or stopped:
            return False
        mail = _alert(case, clock, breach, {})
        return bool(mail and mails_create([mail]))
