"""Verified facts to rebut false claims with, and the marks on the cases that spread them.

A fact holds until its ``valid_until`` day (inclusive); after that it is never offered, and a
claim cannot be marked with it. The protocol's "refute" step (the step that says refute,
"refuta" or "desmiente") offers the valid facts that match the case's comments, by the reply
box's matching (``replies.matching``); a rebuttal drafted from one quotes the fact and its
source (``replies.templated.rebuttal_text``) and is a suggestion the person edits.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import ProtectedError, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.access import brand_ids_for, in_brands
from cases.models import AuditEvent, Case
from cases.workflow import WORK, may_work_case
from classifier.normalise import normalise
from core.errors import DomainError
from replies import matching
from replies.faq import case_text
from replies.matching import Ranked
from replies.models import Fact, FalseClaim, Protocol

CHANGE = "replies.change_fact"
#: The audit log's action for a mark. It belongs in ``cases.models.AuditAction`` (its label is
#: in ``comments.templatetags.desk`` until then): adding a choice there is a migration of cases.
FALSE_CLAIM_MARKED = "false_claim_marked"
SUGGESTIONS = 5
#: The beginnings of the words that make a protocol step the "refute" step (folded).
_REFUTE_STARTS = ("refut", "desmient", "desment", "rebut", "debunk")


@dataclass(frozen=True)
class FactEdit:
    statement: str
    source: str
    valid_until: date | None
    tags: list[str]


def valid_facts(brand_id: int, *, today: date | None = None) -> QuerySet[Fact]:
    """The brand's facts that still hold today (``fact_brand_valid_until``)."""
    return Fact.objects.filter(
        brand_id=brand_id, valid_until__gte=today or timezone.localdate()
    ).select_related("verified_by")


def is_expired(fact: Fact, *, today: date | None = None) -> bool:
    return fact.valid_until < (today or timezone.localdate())


def refute_step(protocol: Protocol) -> int | None:
    """The index of the protocol's step that says to refute, if it has one."""
    for index, step in enumerate(protocol.step_list()):
        if any(token.startswith(_REFUTE_STARTS) for token in normalise(step).tokens):
            return index
    return None


def fact_suggestions(
    case: Case, *, today: date | None = None, limit: int = SUGGESTIONS
) -> list[Ranked[Fact]]:
    """The brand's valid facts that match what the customer said, best first."""
    said = matching.terms_of(case_text(case))
    if not said:
        return []
    return matching.rank(
        said,
        (
            (fact, *matching.terms_of_entry(fact.statement, fact.tags))
            for fact in valid_facts(case.brand_id, today=today)
        ),
        limit=limit,
    )


def offered_fact(case: Case, fact_id: int, *, today: date | None = None) -> Fact | None:
    """The fact a person chose for this case's rebuttal: valid and of the case's brand."""
    return valid_facts(case.brand_id, today=today).filter(pk=fact_id).first()


def access_fact(*, fact_id: int, brand_ids: frozenset[int]) -> Fact:
    return Fact.objects.select_related("brand", "verified_by").get(
        pk=fact_id, brand_id__in=sorted(brand_ids)
    )


def _validated(edit: FactEdit) -> tuple[FactEdit, date]:
    """The edit cleaned, and the day it holds until."""
    statement, source = edit.statement.strip(), " ".join(edit.source.split())
    if not statement:
        raise DomainError(_("Write the fact."), field="statement")
    if not source:
        raise DomainError(_("Say where the fact comes from: a link or a document."), field="source")
    valid_until = edit.valid_until
    if valid_until is None:
        raise DomainError(_("Say until when the fact holds."), field="valid_until")
    return FactEdit(statement, source, valid_until, edit.tags), valid_until


@transaction.atomic
def fact_save(*, actor, edit: FactEdit, brand_id: int | None = None, fact_id: int | None = None):
    """A supervisor records a fact they verified, or changes one: whoever saves it is the one
    who verified it, today."""
    brand_ids = brand_ids_for(actor, CHANGE)
    if fact_id is not None:
        fact = (
            Fact.objects.select_for_update()
            .filter(pk=fact_id, brand_id__in=sorted(brand_ids))
            .first()
        )
        if fact is None:
            raise Fact.DoesNotExist(f"fact {fact_id}")
    elif brand_id in brand_ids:
        fact = Fact(brand_id=brand_id)
    else:
        raise DomainError(_("Choose one of your brands."), field="brand")
    edit, valid_until = _validated(edit)
    fact.statement, fact.source, fact.tags = edit.statement, edit.source, edit.tags
    fact.valid_until = valid_until
    fact.verified_by, fact.verified_at = actor, timezone.now()
    fact.save()
    return fact


@transaction.atomic
def fact_delete(*, fact_id: int, actor) -> None:
    fact = access_fact(fact_id=fact_id, brand_ids=brand_ids_for(actor, CHANGE))
    try:
        fact.delete()
    except ProtectedError:
        raise DomainError(
            _("Cases were marked with this fact: let it expire instead of deleting it.")
        ) from None


@transaction.atomic
def false_claim_mark(
    *, case_id: int, actor, fact_id: int, comment_id: int | None = None, note: str = ""
) -> FalseClaim:
    """Mark a case (or one of its comments) as spreading a false claim, with the valid fact
    that answers it; the audit log records who and which fact. Marking the same twice is one
    mark and one event."""
    case = (
        in_brands(Case.objects.select_related("brand"), brand_ids_for(actor, WORK))
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Case.DoesNotExist(f"case {case_id}")
    if not may_work_case(case, actor):
        raise DomainError(_("This case is assigned to someone else; ask a supervisor."))
    fact = offered_fact(case, fact_id)
    if fact is None:
        raise DomainError(_("Choose a fact of this brand that still holds."), field="fact")
    if comment_id is not None and not case.comments.filter(pk=comment_id).exists():
        raise DomainError(_("Choose one of this case's comments."), field="comment")
    target: dict[str, object] = {"fact": fact, "case": case, "comment_id": comment_id}
    claim, created = FalseClaim.objects.get_or_create(
        **target,
        defaults={
            "brand_id": case.brand_id,
            "marked_by": actor,
            "note": note.strip()[:500],
        },
    )
    if created:
        AuditEvent.objects.create(
            actor=actor,
            action=FALSE_CLAIM_MARKED,
            case=case,
            comment_id=comment_id,
            after={
                "fact": fact.pk,
                "statement": fact.statement,
                "source": fact.source,
                "note": claim.note,
            },
            created_at=claim.marked_at,
        )
    return claim


def case_false_claims(case: Case) -> QuerySet[FalseClaim]:
    return FalseClaim.objects.filter(case=case).select_related("fact", "marked_by", "comment")
