"""Template helpers of the desk: what the history says, in the person's language."""

import re

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext, gettext_lazy

from cases import clocks
from cases.models import AuditAction
from comments import classification
from core.platforms import Platform

register = template.Library()


#: Actions recorded before ``AuditAction`` names them (a new choice there is a migration of
#: cases): ``replies.facts.FALSE_CLAIM_MARKED``.
_LABELS_PENDING = {"false_claim_marked": gettext_lazy("Marked as spreading a false claim")}


@register.filter
def audit_label(action: str) -> str:
    """A history line's action as people read it; an action without a label shows as stored."""
    if action in AuditAction.values:
        return str(AuditAction(action).label)
    return str(_LABELS_PENDING.get(action, action))


@register.filter
def signal_label(signal: str) -> str:
    """A reason's signal in the page's language."""
    return classification.signal_label(signal)


# What the ripple detector (``Ripple.reason``, ``comments.ripples._evidence``) and the model write
# as evidence: data for the API, re-said in the person's language on the pages.
_RIPPLE_EVIDENCE = re.compile(
    r"cluster #(?P<id>\d+), (?P<authors>\d+) authors in (?P<minutes>\d+) min, "
    r"(?P<size>\d+) comments about (?P<subject>.+?)(?: \(by .*\))?$"
)
_MODEL_EVIDENCE = re.compile(r"\w+ p=(?P<p>[\d.]+)(?:: (?P<words>.+))?$")


@register.filter
def reason_in_words(reason: dict) -> str:
    """A ripple's or the model's evidence as a sentence in the page's language; empty for the
    other signals, whose evidence quotes the comment, and for text of another shape."""
    evidence = reason.get("evidence") or ""
    if reason.get("signal") == "ripple" and (ripple := _RIPPLE_EVIDENCE.match(evidence)):
        subject = ", ".join(map(classification.term_label, ripple["subject"].split(", ")))
        return gettext(
            "cluster #%(id)s: %(authors)s authors in %(minutes)s min, %(size)s "
            "comments about %(subject)s"
        ) % {**ripple.groupdict(), "subject": subject}
    if reason.get("signal") == "model" and (model := _MODEL_EVIDENCE.match(evidence)):
        percent = round(float(model["p"]) * 100)
        if model["words"]:
            return gettext("%(percent)s%% sure, from the words %(words)s") % {
                "percent": percent,
                "words": model["words"],
            }
        return gettext("%(percent)s%% sure") % {"percent": percent}
    return ""


@register.filter
def platform_label(code: str) -> str:
    """A platform as the queue names it ("Twitter / X"); the API keeps the code."""
    return str(Platform(code).label) if code in Platform.values else code


@register.filter
def deadline(due) -> str:
    """A deadline as people say it: "in 14 minutes", "overdue by 5 minutes". Humanize's
    "14 minutes from now" wrapped in the case list and reads stiffly in Spanish; one unit is
    enough to choose what to answer first."""
    if not due:
        return ""
    now = timezone.now()
    if due >= now:
        return gettext("in %(time)s") % {"time": timeuntil(due, now, depth=1)}
    return gettext("overdue by %(time)s") % {"time": timesince(due, now, depth=1)}


@register.filter
def is_past(moment) -> bool:
    return bool(moment) and moment < timezone.now()


@register.filter
def clock(moment, precision: str = "minutes"):
    """A moment as a live page reads it: the time alone when it is today, with the day when it
    is not, so a crisis that began yesterday is not misread. ``"seconds"`` for a timeline."""
    if not moment:
        return ""
    local = timezone.localtime(moment)
    time = "H:i:s" if precision == "seconds" else "H:i"
    if local.date() == timezone.localdate():
        return date_format(local, time)
    return date_format(local, f"j M {time}")


@register.simple_tag
def case_clocks(case) -> list[tuple[str, str, str]]:
    """The case's two clocks in words, as ``(clock, state, words)``: "First response in 12
    minutes", "Resolution paused: waiting for 2 hours"."""
    now = timezone.now()
    return [
        (s.clock, s.state, _clock_words(s, case, now)) for s in clocks.clock_states(case, now=now)
    ]


def _clock_words(state, case, now) -> str:
    span = {"time": ""}
    if state.done_at is not None:
        start = case.opened_at
        span["time"] = timesince(start, state.done_at, depth=1)
        if state.clock == clocks.RESPONSE:
            if state.state == "met":
                return gettext("First response after %(time)s, in time") % span
            return gettext("First response after %(time)s, late") % span
        if state.state == "met":
            return gettext("Resolved after %(time)s, in time") % span
        return gettext("Resolved after %(time)s, late") % span
    if state.state == "stopped":
        if state.clock == clocks.RESPONSE:
            return gettext("Closed without a first response")
        return gettext("Closed")
    if state.state == "paused":
        return gettext("Resolution paused: waiting for %(time)s") % {
            "time": timesince(case.paused_at, now, depth=1)
        }
    when = deadline(state.due_at)
    if state.clock == clocks.RESPONSE:
        return gettext("First response %(when)s") % {"when": when}
    return gettext("Resolution %(when)s") % {"when": when}
