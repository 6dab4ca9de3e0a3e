"""The evaluation after a crisis: measured facts, then what the committee writes about them.

Every duration runs from the first related comment's posting, the moment the brand could have
known: to the escalation (detect), to the committee's notice (notify), to a member's
acknowledgement (acknowledge), to the first public answer — a published reply on one of the
crisis's cases, or the statement — (respond), and to containment, twice: measured, when the
related comments' rate fell back under the ripple threshold (``crisis.containment``), and
declared, when the committee marked it contained. The facts are frozen when the crisis closes
and recomputed on request, so what the committee reads is what the records say.
"""

from datetime import datetime
from statistics import median

from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.text import one_line
from crisis import containment, selectors
from crisis.access import access_crisis_for
from crisis.models import Crisis, EventKind, PostMortem, StatementStatus
from crisis.timeline import timeline_record
from replies.models import Reply, ReplyStatus, Visibility

_SENT = (ReplyStatus.PUBLISHED, ReplyStatus.SENT_BY_HAND)


def _seconds(start, end) -> int | None:
    return None if start is None or end is None else _elapsed(start, end)


def _elapsed(start: datetime, end: datetime) -> int:
    return round((end - start).total_seconds())


def postmortem_facts(*, crisis: Crisis) -> dict:
    replies = _replies_sent(crisis)
    clocks = _clocks(crisis, replies)
    approvals = [
        _elapsed(r["submitted_at"], r["reviewed_at"])
        for r in replies
        if r["needs_approval"] and r["reviewed_at"] and r["submitted_at"]
    ]
    totals = selectors.spread(crisis)
    return {
        **clocks,
        "comments": totals["comments"],
        "authors": totals["authors"],
        "reach": totals["reach"],
        "platforms": totals["platforms"],
        "replies_sent": len(replies),
        "replies_approved": len(approvals),
        "approval_median_s": round(median(approvals)) if approvals else None,
        "approval_max_s": max(approvals) if approvals else None,
        "approval_times_s": approvals,
    }


def crisis_clocks(*, crisis: Crisis) -> dict:
    """The evaluation's times alone, without the spread and the approvals: a few indexed
    reads, for the overview's list of every crisis of a period."""
    return _clocks(crisis, _replies_sent(crisis))


def _replies_sent(crisis: Crisis) -> list:
    return list(
        Reply.objects.filter(
            case__in=selectors.related_cases(crisis).values("pk"), status__in=_SENT
        )
        .order_by("published_at")
        .values("pk", "visibility", "needs_approval", "submitted_at", "reviewed_at", "published_at")
    )


def _clocks(crisis: Crisis, replies: list) -> dict:
    """Each moment from the earliest posting the crisis knew of (``Crisis.first_comment_at``,
    kept at each escalation by ``crisis.opening``)."""
    first_at = crisis.first_comment_at
    detected_at = crisis.escalations.aggregate(first=Min("created_at"))["first"]
    public_reply_at = next(
        (r["published_at"] for r in replies if r["visibility"] == Visibility.PUBLIC), None
    )
    statement_at = crisis.statements.filter(
        status__in=[StatementStatus.PUBLISHED, StatementStatus.SENT_BY_HAND]
    ).aggregate(first=Min("published_at"))["first"]
    first_response_at = min((t for t in (public_reply_at, statement_at) if t), default=None)
    return {
        "first_comment_at": _iso(first_at),
        "detected_at": _iso(detected_at),
        "notified_at": _iso(crisis.notified_at),
        "acknowledged_at": _iso(crisis.acknowledged_at),
        "first_response_at": _iso(first_response_at),
        "contained_at": _iso(crisis.contained_at),
        "rate_contained_at": _iso(crisis.rate_contained_at),
        "closed_at": _iso(crisis.closed_at),
        "time_to_detect_s": _seconds(first_at, detected_at),
        "time_to_notify_s": _seconds(first_at, crisis.notified_at),
        "time_to_acknowledge_s": _seconds(first_at, crisis.acknowledged_at),
        "time_to_first_response_s": _seconds(first_at, first_response_at),
        "time_to_containment_s": _seconds(first_at, crisis.contained_at),
        "time_to_rate_containment_s": _seconds(first_at, crisis.rate_contained_at),
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def postmortem_open(*, crisis: Crisis, now=None) -> PostMortem:
    """Seed the evaluation with the facts (call when the crisis closes); idempotent."""
    containment.crisis_measure_containment(crisis=crisis, now=now)
    postmortem, created = PostMortem.objects.get_or_create(
        crisis=crisis,
        defaults={"facts": postmortem_facts(crisis=crisis), "updated_at": now or timezone.now()},
    )
    return postmortem


@transaction.atomic
def postmortem_write(
    *,
    crisis_id: int,
    actor,
    what_failed: str,
    what_to_improve: str,
    reply_quality: str,
    refresh_facts: bool = False,
) -> PostMortem:
    crisis = access_crisis_for(crisis_id=crisis_id, actor=actor)
    postmortem = PostMortem.objects.select_for_update().filter(crisis=crisis).first()
    if postmortem is None:
        raise DomainError(_("The evaluation opens when the crisis closes."))
    postmortem.what_failed = what_failed.strip()
    postmortem.what_to_improve = what_to_improve.strip()
    postmortem.reply_quality = reply_quality.strip()
    if refresh_facts:
        containment.crisis_measure_containment(crisis=crisis)
        postmortem.facts = postmortem_facts(crisis=crisis)
    postmortem.updated_by, postmortem.updated_at = actor, timezone.now()
    postmortem.save()
    timeline_record(crisis, EventKind.POSTMORTEM, actor=actor, at=postmortem.updated_at)
    return postmortem


def duration(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"


def postmortem_markdown(postmortem: PostMortem) -> str:
    """The evaluation as a Markdown document: facts, timeline, and the committee's words."""
    crisis, facts = postmortem.crisis, postmortem.facts
    lines = [
        f"# {_('Crisis evaluation')} #{crisis.pk}: {one_line(crisis.subject, max_length=255)}",
        "",
        f"- {_('Brand')}: {crisis.brand.name}",
        f"- {_('Severity')}: {crisis.get_severity_display()}",
        f"- {_('Opened')}: {crisis.opened_at:%Y-%m-%d %H:%M:%S %Z}",
        f"- {_('Closed')}: {facts.get('closed_at') or '—'}",
        "",
        f"## {_('Measured facts')}",
        "",
        f"| {_('Measure')} | {_('Value')} |",
        "|---|---|",
    ]
    for label, value in fact_rows(facts):
        lines.append(f"| {label} | {value} |")
    lines += ["", f"## {_('Timeline')}", ""]
    for event in crisis.events.select_related("actor"):
        who = event.actor.get_username() if event.actor else _("the desk")
        text = (" — " + event.text.replace("\n", " ")) if event.text else ""
        lines.append(f"- {event.at:%Y-%m-%d %H:%M:%S} · {event.get_kind_display()} · {who}{text}")
    for title, body in (
        (_("What failed"), postmortem.what_failed),
        (_("What to improve"), postmortem.what_to_improve),
        (_("Quality of the replies"), postmortem.reply_quality),
    ):
        lines += ["", f"## {title}", "", body or "—"]
    return "\n".join(lines) + "\n"


def fact_rows(facts: dict) -> list[tuple[str, str]]:
    return [
        (_("Time to detect"), duration(facts.get("time_to_detect_s"))),
        (_("Time to notify"), duration(facts.get("time_to_notify_s"))),
        (_("Time to acknowledge"), duration(facts.get("time_to_acknowledge_s"))),
        (_("Time to first public response"), duration(facts.get("time_to_first_response_s"))),
        (
            _("Time to containment (measured: rate under the ripple threshold)"),
            duration(facts.get("time_to_rate_containment_s")),
        ),
        (
            _("Time to containment (marked by the committee)"),
            duration(facts.get("time_to_containment_s")),
        ),
        (_("Comments involved"), str(facts.get("comments", 0))),
        (_("Distinct authors"), str(facts.get("authors", 0))),
        (_("Reach (followers summed)"), str(facts.get("reach", 0))),
        (_("Replies sent"), str(facts.get("replies_sent", 0))),
        (_("Median approval time"), duration(facts.get("approval_median_s"))),
        (_("Longest approval time"), duration(facts.get("approval_max_s"))),
    ]
