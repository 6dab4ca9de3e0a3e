"""The tone check as the desk applies it to what people write: replies and crisis statements.

One rule for both, so a warning reads the same to people wherever they write."""

from django.utils.translation import gettext as _

from cases.models import Case
from classifier.tone import tone_check
from core.taxonomy import Category


def tone_warnings(body: str, case: Case, *, public_closing: bool = False) -> list[dict]:
    """A public closing thanks a customer whose problem is solved: it owes no apology and no
    next step, so it is read as a reply to praise."""
    complaint = case.category != Category.OTHER and not public_closing
    return tone_warnings_for(body, language=case.brand.language, replying_to_complaint=complaint)


def tone_warnings_for(body: str, *, language: str, replying_to_complaint: bool) -> list[dict]:
    """``tone_check``'s warnings as stored on a draft (a reply, a crisis statement)."""
    warnings = tone_check(body, language, replying_to_complaint=replying_to_complaint)
    return [{"kind": w.kind, "evidence": w.evidence} for w in warnings]


def tone_unconfirmed(warnings: list[dict], *, tone_reviewed: bool) -> str | None:
    """Why a text with tone warnings may not go on yet: nobody said they reread it. None when
    it may. One rule for replies and crisis statements, so both read the same to people."""
    if warnings and not tone_reviewed:
        return _("Reread the tone warnings and confirm before sending it on.")
    return None
