"""Opening or joining a crisis: reds grouped by what they are about.

Join rule (``crisis_open_or_join``): an escalated red joins the brand's open crisis that
(1) holds its ripple, else (2) shares its subject key — the first red-making signal of its
reasons (``authority_mention``, ``health_safety``, ``reach``…, falling back to the category) —
and received a red within ``SEMAFORO_CRISIS_JOIN_MIN``; otherwise it opens a crisis. A ripple's
key is the ripple itself, so two different ripples never merge. Opening locks the brand's row,
so two crisis workers handling two reds of the same wave cannot open two crises.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Least
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brands.models import Brand
from classifier.signals import HIGH_LEVEL_SIGNALS
from comments import classification
from comments.models import Comment
from core.pii import mask_text
from crisis.models import Crisis, CrisisStatus, Escalation, EventKind, Severity
from crisis.timeline import timeline_entry, timeline_record_many

#: A crisis with this many reds is critical even without a ripple.
CRITICAL_REDS = 5
#: Signals that make a comment red, most telling first: the first one found names the subject.
SUBJECT_SIGNALS = (*HIGH_LEVEL_SIGNALS, "violence_threat", "reach")


def subject_of(comment: Comment, *, language: str) -> tuple[str, str]:
    """``(key, label)``: what a red is about, as far as joining a crisis goes. The label is
    written once, for the brand's committee, so in the brand's language and in the words the
    queue uses for reasons, never a signal's code."""
    with translation.override(language):
        ripple = comment.ripple  # None without a query when the comment has no ripple
        if ripple is not None:
            words = ", ".join(
                classification.term_label(str(term)) for term in (ripple.subject or [])[:4]
            )
            return f"ripple:{comment.ripple_id}", _("Ripple #%(id)s: %(words)s") % {
                "id": comment.ripple_id,
                "words": words or "—",
            }
        evidence: dict[str | None, str] = {}
        for reason in comment.reasons or []:
            evidence.setdefault(reason.get("signal"), reason.get("evidence", ""))
        signal = next((signal for signal in SUBJECT_SIGNALS if signal in evidence), None)
        if signal is not None:
            return signal, signal_subject(signal, evidence[signal])
        return f"category:{comment.category}", str(comment.get_category_display())


def signal_subject(signal: str, evidence: str) -> str:
    """A signal's subject in the active language: "Salud o seguridad: “groped”"."""
    return f"{classification.signal_label(signal)}: “{evidence}”"[:255]


def crisis_open_or_join(*, escalation_id: int, now=None) -> tuple[Crisis, bool]:
    """The crisis this escalation belongs to, opening one if none fits; ``(crisis, opened)``."""
    return crises_open_or_join(escalation_ids=[escalation_id], now=now)[escalation_id]


def crises_open_or_join(*, escalation_ids: list[int], now=None) -> dict[int, tuple[Crisis, bool]]:
    """Attach each escalation to its crisis, opening crises where none fits, in one
    transaction: ``{escalation_id: (crisis, opened)}``.

    Idempotent: an escalation already attached answers its crisis. Runs in the crisis worker,
    never at intake, on the chunk of reds one task carries, so a wave of reds about one thing
    costs one lookup, one update of the crisis and one insert of timeline rows per chunk, not
    per red.
    """
    now = now or timezone.now()
    answer: dict[int, tuple[Crisis, bool]] = {}
    with transaction.atomic():
        escalations = list(
            Escalation.objects.select_for_update(of=("self",))
            .select_related("comment__ripple", "crisis")
            .filter(pk__in=escalation_ids)
            .order_by("comment__posted_at", "pk")
        )
        fresh = [e for e in escalations if e.crisis_id is None]
        for escalation in escalations:
            if escalation.crisis is not None:  # selected with it: no query
                answer[escalation.pk] = (escalation.crisis, False)
        if not fresh:
            return answer
        # One opener per brand at a time: without it two workers could each find no open
        # crisis for the same wave and open two. Sorted, so two chunks never deadlock.
        brands = {
            brand.pk: brand
            for brand in Brand.objects.select_for_update()
            .filter(pk__in=sorted({e.comment.brand_id for e in fresh}))
            .order_by("pk")
        }
        touched: dict[int, Crisis] = {}
        joined: dict[int, list[Escalation]] = {}
        events = []
        for escalation in fresh:
            comment = escalation.comment
            key, label = subject_of(comment, language=brands[comment.brand_id].language)
            crisis = _touched_crisis_for(touched.values(), comment, key) or _open_crisis_for(
                comment, key, now
            )
            if crisis is None:
                crisis = Crisis.objects.create(
                    brand_id=comment.brand_id,
                    subject=label,
                    subject_key=key,
                    severity=Severity.CRITICAL if comment.ripple_id else Severity.HIGH,
                    ripple_id=comment.ripple_id,
                    escalations_count=1,
                    first_comment_at=_first_posted(comment),
                    last_escalation_at=now,
                    opened_at=now,
                )
                touched[crisis.pk] = crisis
                answer[escalation.pk] = (crisis, True)
                events.append(
                    timeline_entry(
                        crisis, EventKind.OPENED, at=now, text=label, data=_about(escalation)
                    )
                )
            else:
                touched.setdefault(crisis.pk, crisis)
                joined.setdefault(crisis.pk, []).append(escalation)
                answer[escalation.pk] = (crisis, False)
                events.append(
                    timeline_entry(
                        crisis,
                        EventKind.JOINED,
                        at=now,
                        text=mask_text(comment.text, comment.pii)[:280],
                        data=_about(escalation),
                    )
                )
            escalation.crisis = crisis
        for crisis_id, rows in joined.items():
            crisis = touched[crisis_id]
            first = min(_first_posted(e.comment) for e in rows)
            Crisis.objects.filter(pk=crisis_id).update(
                escalations_count=F("escalations_count") + len(rows),
                last_escalation_at=now,
                first_comment_at=Least("first_comment_at", Value(first)),
                severity=Case(
                    When(
                        escalations_count__gte=CRITICAL_REDS - len(rows),
                        then=Value(Severity.CRITICAL),
                    ),
                    default=F("severity"),
                ),
            )
            crisis.refresh_from_db()
        timeline_record_many(events)
        for crisis_id in touched:
            Escalation.objects.filter(
                pk__in=[e.pk for e in fresh if e.crisis_id == crisis_id]
            ).update(crisis_id=crisis_id)
    return answer


def _about(escalation: Escalation) -> dict:
    return {"comment": escalation.comment_id, "escalation": escalation.pk}


def _touched_crisis_for(crises, comment: Comment, key: str) -> Crisis | None:
    """A crisis this chunk already opened or joined that the comment belongs to (same rule)."""
    crises = [c for c in crises if c.brand_id == comment.brand_id]
    if comment.ripple_id:
        for crisis in crises:
            if crisis.ripple_id == comment.ripple_id:
                return crisis
    return next((c for c in crises if c.subject_key == key), None)


def _open_crisis_for(comment: Comment, key: str, now) -> Crisis | None:
    open_crises = Crisis.objects.filter(brand_id=comment.brand_id).exclude(
        status=CrisisStatus.CLOSED
    )
    if comment.ripple_id:
        found = open_crises.filter(ripple_id=comment.ripple_id).order_by("opened_at").first()
        if found is not None:
            return found
    window = timedelta(minutes=settings.SEMAFORO["CRISIS_JOIN_MIN"])
    return (
        open_crises.filter(subject_key=key, last_escalation_at__gte=now - window)
        .order_by("opened_at")
        .first()
    )


def _first_posted(comment: Comment):
    """The earliest posting of the wave: for a ripple its first member, else the comment."""
    ripple = comment.ripple  # None without a query when the comment has no ripple
    if ripple is not None:
        return min(ripple.first_at, comment.posted_at)
    return comment.posted_at
