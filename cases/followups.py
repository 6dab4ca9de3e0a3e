"""Follow up until the customer is satisfied: schedule, fall due, ask a person, hear the answer.

The desk never writes to a customer on its own. A follow-up that falls due asks the person who
worked the case (by e-mail) to send a suggested message with the customer's signed satisfaction
link, or to record the answer they got. The customer's answer, through the link or recorded by a
person, closes the case when satisfied and reopens it when not.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brands.access import supervisor_emails
from cases.clocks import clocks_on_status
from cases.models import AuditAction, AuditEvent, Case, CaseStatus, FollowUp
from cases.reopening import case_reopen
from core.errors import DomainError
from core.links import LinkError, SignedLink
from core.queueing import (
    MAX_ATTEMPTS,
    claim_due,
    each_isolated,
    error_text,
    publish_in_chunks,
    retry_alone,
)
from outbound.mails import mail_create
from outbound.models import MailKind

#: The task that asks the person on the case to follow up (``cases.tasks``).
PROMPT_TASK = "cases.tasks.prompt_follow_ups"

logger = logging.getLogger(__name__)

SCHEDULE_BATCH = 500
PUBLISH_CHUNK = 25  # follow-ups per broker message: a pass publishes a handful, not hundreds
#: A claim older than this whose follow-up was not prompted lost its message: taken again.
PROMPT_CLAIM_TIMEOUT = timedelta(minutes=10)
#: The customer's link to say whether they are satisfied, without an account.
SATISFACTION_LINK = SignedLink("semaforo.satisfaction", "satisfaction", "SATISFACTION_LINK_H")


def follow_up_schedule(*, case: Case, now, after: FollowUp | None = None) -> FollowUp:
    """The check after ``after``, or the first one after a resolution; past the last check,
    the day the case closes as "no answer". Call inside the case's transaction."""
    config = settings.SEMAFORO
    attempt = after.attempt + 1 if after is not None else 1
    hours = config["FOLLOW_UP_FIRST_H"] if attempt == 1 else config["FOLLOW_UP_EVERY_H"]
    last = FollowUp.objects.filter(case=case).order_by("-number").values_list("number", flat=True)
    return FollowUp.objects.create(
        case=case,
        brand_id=case.brand_id,
        number=(last.first() or 0) + 1,
        attempt=attempt,
        closes_case=attempt > config["FOLLOW_UP_MAX"],
        due_at=now + timedelta(hours=hours),
    )


def follow_ups_cancel(*, case: Case, now) -> int:
    """The case closed or reopened: nothing left to ask."""
    return FollowUp.objects.filter(case=case, answered_at=None, cancelled_at=None).update(
        cancelled_at=now
    )


def follow_ups_claim_due(*, now=None) -> list[int]:
    """Claim the follow-ups that fell due and hand them to workers; return their ids.

    One query on the partial index ``followup_due`` (its cost is what is due, not the table);
    ``skip_locked`` and the claim make two overlapping passes share the work, never double it.
    A claim that was never prompted within ``PROMPT_CLAIM_TIMEOUT`` lost its message (a broker
    that restarted empty, a worker that died): the pass takes it again, as the escalations'
    sweep does. A follow-up whose prompt failed ``MAX_ATTEMPTS`` times waits for a person.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ids = claim_due(
            FollowUp.objects.filter(
                Q(enqueued_at=None) | Q(enqueued_at__lt=now - PROMPT_CLAIM_TIMEOUT),
                prompted_at=None,
                cancelled_at=None,
                answered_at=None,
                due_at__lte=now,
                attempts__lt=MAX_ATTEMPTS,
            ),
            order_by="due_at",
            limit=SCHEDULE_BATCH,
            mark={"enqueued_at": now},
        )
        if ids:
            transaction.on_commit(partial(_enqueue_prompts, ids), robust=True)
    return ids


def _enqueue_prompts(ids: list[int]) -> None:
    publish_in_chunks(
        PROMPT_TASK,
        ids,
        chunk=PUBLISH_CHUNK,
        release=lambda rest: FollowUp.objects.filter(pk__in=rest, prompted_at=None).update(
            enqueued_at=None
        ),
    )


def follow_ups_prompt(*, follow_up_ids: list[int]) -> int:
    """Prompt each follow-up of a chunk on its own (``each_isolated``): one whose mail raises
    is recorded with its error and retried alone; the rest are prompted. Answers how many."""
    prompted: list[int] = []

    def prompt(pk: int) -> None:
        if follow_up_prompt(follow_up_id=pk):
            prompted.append(pk)

    each_isolated(follow_up_ids, prompt, failed=_prompt_failed)
    return len(prompted)


def _prompt_failed(follow_up_id: int, error: Exception) -> None:
    FollowUp.objects.filter(pk=follow_up_id).update(
        attempts=F("attempts") + 1, last_error=error_text(error)
    )
    attempts = FollowUp.objects.values_list("attempts", flat=True).get(pk=follow_up_id)
    if not retry_alone(PROMPT_TASK, follow_up_id, attempts=attempts):
        # Nothing will publish it again: the claim goes back to the next pass.
        FollowUp.objects.filter(pk=follow_up_id, prompted_at=None).update(enqueued_at=None)


def follow_up_prompt(*, follow_up_id: int) -> bool:
    """Ask the person on the case to check with the customer, and schedule the next check; or,
    the day after the last one, close the case as "no answer" and tell its person.

    A new check supersedes the earlier ones: their links stop working, so a customer answers
    only the question asked last. Idempotent: a second run (a duplicate message) finds it
    prompted and does nothing. The mail is promised in the same transaction
    (``outbound.mails``), so the prompt and its mail commit together, and a mail server that is
    down delays the mail without losing it.
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = FollowUp.objects.filter(
            pk=follow_up_id, prompted_at=None, cancelled_at=None, answered_at=None
        ).update(prompted_at=now)
        if not claimed:
            return False
        follow_up = FollowUp.objects.select_related(
            "case__author", "case__brand", "case__assignee"
        ).get(pk=follow_up_id)
        FollowUp.objects.filter(
            case_id=follow_up.case_id,
            number__lt=follow_up.number,
            answered_at=None,
            cancelled_at=None,
        ).update(cancelled_at=now)
        if follow_up.closes_case:
            _close_unanswered(follow_up, now=now)
            return True
        follow_up_schedule(case=follow_up.case, now=now, after=follow_up)
        AuditEvent.objects.create(
            action=AuditAction.FOLLOW_UP_DUE,
            case=follow_up.case,
            created_at=now,
            after={"number": follow_up.number, "attempt": follow_up.attempt},
        )
        _mail_the_team(follow_up)
    return True


def _close_unanswered(follow_up: FollowUp, *, now) -> None:
    """Every check went unanswered: the case closes, neither satisfied nor not, and its
    person hears of it, so the silence is a fact someone knows rather than a case that stays
    resolved forever."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("brand", "author", "assignee")
        .get(pk=follow_up.case_id)
    )
    if case.status != CaseStatus.RESOLVED:
        return
    clocks_on_status(case, CaseStatus.CLOSED, now=now)
    case.status, case.closed_at, case.satisfied = CaseStatus.CLOSED, now, None
    case.save()
    AuditEvent.objects.create(
        action=AuditAction.CASE_CLOSED_NO_ANSWER,
        case=case,
        created_at=now,
        before={"status": CaseStatus.RESOLVED},
        after={"status": CaseStatus.CLOSED, "checks": follow_up.attempt - 1},
    )
    recipients = _person_on(case)
    if not recipients:
        return
    with translation.override(case.brand.language):
        subject = _("[Semáforo] Case #%(case)s closed: %(handle)s never answered") % {
            "case": case.pk,
            "handle": case.author.handle,
        }
        body = _(
            "Nobody heard back from the customer after %(checks)s follow-ups, so case "
            '#%(case)s is closed as "no answer". Reopen it if they write again.\n\n%(url)s\n'
        ) % {
            "case": case.pk,
            "checks": follow_up.attempt - 1,
            "url": f"{settings.SEMAFORO_BASE_URL}{reverse('case-detail', args=[case.pk])}",
        }
    mail_create(
        brand_id=case.brand_id,
        kind=MailKind.FOLLOW_UP_CLOSED,
        key=f"follow-up:{follow_up.pk}:closed",
        to=recipients,
        subject=subject,
        body=body,
        about=reverse("case-detail", args=[case.pk]),
    )


def _person_on(case: Case) -> list[str]:
    """Who hears of a case's follow-ups: its assignee, or the brand's supervisors if none."""
    if case.assignee and case.assignee.email:
        return [case.assignee.email]
    return supervisor_emails(case.brand_id)


def _mail_the_team(follow_up: FollowUp) -> None:
    case = follow_up.case
    recipients = _person_on(case)
    if not recipients:
        logger.warning("follow-up %s: nobody to ask at brand %s", follow_up.pk, case.brand_id)
        return
    link = SATISFACTION_LINK.url(follow_up.pk)
    case_url = f"{settings.SEMAFORO_BASE_URL}{reverse('case-detail', args=[case.pk])}"
    with translation.override(case.brand.language):
        subject = _("[Semáforo] Follow up case #%(case)s with %(handle)s") % {
            "case": case.pk,
            "handle": case.author.handle,
        }
        body = _(
            "Case #%(case)s was resolved; it is time to check that the customer is satisfied "
            "(follow-up %(number)s).\n\nSuggested message — edit it before you send it:\n\n"
            "%(message)s\n\nCase: %(case_url)s\n"
        ) % {
            "case": case.pk,
            "number": follow_up.number,
            "case_url": case_url,
            "message": suggested_message(follow_up, link=link),
        }
    mail_create(
        brand_id=case.brand_id,
        kind=MailKind.FOLLOW_UP_PROMPT,
        key=f"follow-up:{follow_up.pk}:prompt",
        to=recipients,
        subject=subject,
        body=body,
        about=reverse("case-detail", args=[case.pk]),
    )


def suggested_message(follow_up: FollowUp, *, link: str) -> str:
    """A starting point for the person; never sent as is by the desk."""
    case = follow_up.case
    name = case.author.display_name or case.author.handle
    return _(
        "Hi %(name)s, this is %(brand)s following up on case #%(case)s. Did we solve it? "
        "Tell us here: %(link)s"
    ) % {"name": name, "brand": case.brand.name, "case": case.pk, "link": link}


# --- the customer's answer ------------------------------------------------------------------


def follow_up_is_current(follow_up: FollowUp) -> bool:
    """A link answers only the check that sent it, while that check is the case's current one
    (not superseded by a newer check, nor cancelled by a close or a reopen)."""
    return follow_up.cancelled_at is None and not follow_up.closes_case


def follow_up_from_token(token: str) -> FollowUp:
    """The follow-up a customer's link names, or LinkError."""
    return SATISFACTION_LINK.row(token, FollowUp.objects.select_related("case__brand"))


@transaction.atomic
def follow_up_answer(*, follow_up_id: int, satisfied: bool, answer: str = "", by=None) -> FollowUp:
    """Record the customer's answer: satisfied closes the case, not satisfied reopens it.

    ``by`` is the person who recorded it; None when the customer answered through the link.
    The first answer counts; a second one changes nothing, and through the link (which acts
    once) it raises ``LinkError(used=True)``, so the page can say the link was used.
    """
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up_id)
    if follow_up.answered_at is not None:
        if by is None:
            raise LinkError(used=True)
        return follow_up
    if not follow_up_is_current(follow_up):
        raise DomainError(
            _("This follow-up was replaced by a newer one or the case changed since.")
        )
    case = Case.objects.select_for_update().get(pk=follow_up.case_id)
    now = timezone.now()
    follow_up.answered_at, follow_up.satisfied = now, satisfied
    follow_up.answer, follow_up.answered_by = answer.strip(), by
    follow_up.save(update_fields=["answered_at", "satisfied", "answer", "answered_by"])
    FollowUp.objects.filter(case=case, answered_at=None, cancelled_at=None).update(cancelled_at=now)
    before = {"status": case.status}
    if satisfied and case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        clocks_on_status(case, CaseStatus.CLOSED, now=now)
        case.status, case.satisfied, case.closed_at = CaseStatus.CLOSED, True, now
    elif not satisfied and case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        case_reopen(case, now=now)
    case.save()
    AuditEvent.objects.create(
        actor=by,
        action=AuditAction.FOLLOW_UP_ANSWERED,
        case=case,
        created_at=now,
        before=before,
        after={
            "status": case.status,
            "satisfied": satisfied,
            "note": answer.strip(),
            "via": "person" if by else "customer link",
        },
    )
    return follow_up
