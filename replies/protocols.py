"""The response protocol each brand starts from, taken from the seed texts, and its lookup.

A brand gets its own editable copy of a protocol the first time a case of that kind needs it,
so supervisors change their brand's protocol without touching anyone else's.
"""

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.access import brand_ids_for
from brands.models import Brand
from cases.models import AuditAction, AuditEvent, Department, Outcome
from core.errors import DomainError
from core.taxonomy import Category, Level
from replies.models import IntermediateSolution, Protocol, ProtocolStep, ReplyTemplate, StepOwner

CHANGE = "replies.change_protocol"
#: The languages a reply template can be written in: the desk's interface languages.
LANGUAGES = ("es", "en")


#: The seed texts' protocols, as data a person can read and change without touching code.
SEED_PATH = Path(__file__).resolve().parent / "seed" / "protocols.json"


@dataclass(frozen=True)
class SeedTemplate:
    name: str
    language: str
    body: str
    private_handoff: bool = False


@dataclass(frozen=True)
class SeedStep:
    text: str
    owner: str
    minutes: int | None = None


@dataclass(frozen=True)
class SeedProtocol:
    steps: tuple[SeedStep, ...]
    outcomes: tuple[str, ...]
    requires_approval: bool
    templates: tuple[SeedTemplate, ...] = field(default=())
    intermediate_solutions: tuple[str, ...] = field(default=())


@cache
def seed_protocols() -> dict[str, SeedProtocol]:
    """The seed file's protocols by kind; a protocol with ``private_handoff`` also gets the
    shared templates that move the conversation to a private channel."""
    data = json.loads(SEED_PATH.read_text(encoding="utf-8"))
    private = tuple(SeedTemplate(**t) for t in data["private_handoff_templates"])
    return {
        kind: SeedProtocol(
            steps=tuple(SeedStep(**step) for step in seed["steps"]),
            outcomes=tuple(Outcome(o) for o in seed["outcomes"]),
            intermediate_solutions=tuple(seed["intermediate_solutions"]),
            requires_approval=seed["requires_approval"],
            templates=tuple(SeedTemplate(**t) for t in seed["templates"])
            + (private if seed["private_handoff"] else ()),
        )
        for kind, seed in data["protocols"].items()
    }


def seed_protocol(category: str, level: str) -> SeedProtocol:
    """The seed texts' protocol for a kind of case. By default every reply to a yellow or a
    red waits for a supervisor's approval."""
    if category in (Category.HIGH_LEVEL, Category.INSULT, Category.OTHER):
        kind = str(category)
    else:
        kind = "pqr" if level == Level.GREEN else "pqr_at_risk"
    return seed_protocols()[kind]


def protocol_for(*, brand, category: str, level: str) -> Protocol:
    """The brand's protocol for this kind of case, created from the seed the first time."""
    protocol = Protocol.objects.filter(brand=brand, category=category, level=level).first()
    if protocol is not None:
        return protocol
    seed = seed_protocol(category, level)
    try:
        with transaction.atomic():
            protocol = Protocol.objects.create(
                brand=brand,
                category=category,
                level=level,
                outcomes=[str(o) for o in seed.outcomes],
                requires_approval=seed.requires_approval,
            )
            ProtocolStep.objects.bulk_create(
                ProtocolStep(
                    protocol=protocol,
                    position=position,
                    text=step.text,
                    owner_role=step.owner,
                    expected_minutes=step.minutes,
                )
                for position, step in enumerate(seed.steps)
            )
            IntermediateSolution.objects.bulk_create(
                IntermediateSolution(protocol=protocol, name=name)
                for name in seed.intermediate_solutions
            )
            ReplyTemplate.objects.bulk_create(
                ReplyTemplate(
                    protocol=protocol,
                    name=t.name,
                    language=t.language,
                    body=t.body,
                    private_handoff=t.private_handoff,
                )
                for t in seed.templates
            )
    except IntegrityError:  # another request seeded it first
        protocol = Protocol.objects.get(brand=brand, category=category, level=level)
    return protocol


# --- editing ----------------------------------------------------------------------------------

#: What a template may name; anything else would reach a customer as a literal ``{word}``.
PLACEHOLDERS = ("customer_name", "case_number", "department", "brand")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class TemplateEdit:
    """One row of the templates form: ``id`` None adds a template; ``delete`` removes one."""

    id: int | None
    name: str
    language: str
    body: str
    private_handoff: bool = False
    delete: bool = False


@dataclass(frozen=True)
class StepEdit:
    """One row of the steps form, in the order the steps are followed: ``id`` None adds a step;
    ``delete`` removes one. ``owner_department_id`` set: the department owns it, not the role."""

    id: int | None
    text: str
    owner_role: str = StepOwner.COMMUNITY_MANAGER
    owner_department_id: int | None = None
    expected_minutes: int | None = None
    delete: bool = False


#: A step expected later than this (a month) is a typing slip, not a plan.
MAX_STEP_MINUTES = 60 * 24 * 31


def unknown_placeholders(body: str) -> list[str]:
    """The ``{names}`` in a template the desk cannot fill, in order of appearance."""
    found = [name for name in _PLACEHOLDER.findall(body) if name not in PLACEHOLDERS]
    return list(dict.fromkeys(found))


def brand_protocols(*, brand_ids: frozenset[int]) -> list[Protocol]:
    """Every category × level protocol of these brands, seeding the ones nobody needed yet,
    so a supervisor sees (and can edit) a protocol before the first case of its kind."""
    existing = set(
        Protocol.objects.filter(brand_id__in=sorted(brand_ids)).values_list(
            "brand_id", "category", "level"
        )
    )
    if len(existing) < len(brand_ids) * len(Category) * len(Level):
        for brand in Brand.objects.filter(pk__in=sorted(brand_ids)):
            for category in Category.values:
                for level in Level.values:
                    if (brand.pk, category, level) not in existing:
                        protocol_for(brand=brand, category=category, level=level)
    return list(
        Protocol.objects.filter(brand_id__in=sorted(brand_ids))
        .select_related("brand", "updated_by")
        .order_by("brand__name", "category", "level")
    )


def access_protocol(*, protocol_id: int, brand_ids: frozenset[int]) -> Protocol:
    """The protocol if it belongs to one of these brands; ``Protocol.DoesNotExist`` otherwise,
    so another brand's id reads as not found."""
    return Protocol.objects.select_related("brand").get(
        pk=protocol_id, brand_id__in=sorted(brand_ids)
    )


def _summary(protocol: Protocol) -> dict:
    return {
        "steps": [
            {
                "text": step.text,
                "owner": step.owner_role,
                "department": step.owner_department_id,
                "minutes": step.expected_minutes,
            }
            for step in protocol.step_rows.all()
        ],
        "outcomes": list(protocol.outcomes),
        "intermediate_solutions": protocol.solution_names(),
        "requires_approval": protocol.requires_approval,
        "templates": [
            {
                "id": t.pk,
                "name": t.name,
                "language": t.language,
                "body": t.body,
                "private_handoff": t.private_handoff,
            }
            for t in protocol.templates.order_by("pk")
        ],
    }


@transaction.atomic
def protocol_save(
    *,
    protocol_id: int,
    actor,
    steps: list[StepEdit],
    outcomes: list[str],
    requires_approval: bool,
    templates: list[TemplateEdit],
    intermediate_solutions: list[str],
) -> Protocol:
    """A supervisor's edit of their brand's protocol, all or nothing, with an audit event
    holding the protocol before and after (a reply policy change is something people ask
    about later: who stopped requiring approval, and when)."""
    brand_ids = brand_ids_for(actor, CHANGE)
    protocol = (
        Protocol.objects.select_for_update()
        .filter(pk=protocol_id, brand_id__in=sorted(brand_ids))
        .first()
    )
    if protocol is None:
        raise Protocol.DoesNotExist(f"protocol {protocol_id}")
    kept = _checked_steps(protocol, steps)
    chosen = [o for o in Outcome.values if o in set(outcomes)]
    if not chosen or len(set(outcomes)) != len(chosen):
        raise DomainError(_("Choose at least one way out, among the known ones."), field="outcomes")
    solutions = _checked_solutions(intermediate_solutions, allowed=Outcome.INTERMEDIATE in chosen)
    _check_templates(templates)
    before = _summary(protocol)
    own = {t.pk: t for t in protocol.templates.all()}
    for edit in templates:
        if edit.id is not None and edit.id not in own:
            raise ReplyTemplate.DoesNotExist(f"template {edit.id}")
        if edit.delete:
            if edit.id is not None:
                own[edit.id].delete()
            continue
        template = own[edit.id] if edit.id is not None else ReplyTemplate(protocol=protocol)
        template.name, template.language = edit.name.strip(), edit.language
        template.body, template.private_handoff = edit.body.strip(), edit.private_handoff
        template.save()
    _save_steps(protocol, kept)
    _save_solutions(protocol, solutions)
    protocol.outcomes = chosen
    protocol.requires_approval, protocol.updated_by = requires_approval, actor
    protocol.save()
    after = _summary(protocol)
    if after != before:
        identity = {
            "protocol": protocol.pk,
            "brand": protocol.brand_id,
            "category": protocol.category,
            "level": protocol.level,
        }
        AuditEvent.objects.create(
            actor=actor,
            action=AuditAction.PROTOCOL_CHANGED,
            before={**identity, **before},
            after={**identity, **after},
            created_at=timezone.now(),
        )
    return protocol


def _check_templates(templates: list[TemplateEdit]) -> None:
    for index, edit in enumerate(templates):
        if edit.delete:
            continue
        unknown = unknown_placeholders(edit.body)
        if unknown:
            raise DomainError(
                _("Unknown placeholder {%(name)s}: use %(known)s.")
                % {"name": unknown[0], "known": ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)},
                field="body",
                index=index,
            )
        if not edit.name.strip() or not edit.body.strip():
            raise DomainError(_("A template needs a name and a text."), field="body", index=index)
        if edit.language not in LANGUAGES:
            raise DomainError(_("Choose the template's language."), field="language", index=index)


def _checked_steps(protocol: Protocol, steps: list[StepEdit]) -> list[StepEdit]:
    """The steps kept, each checked; the first wrong one is the error, with its row."""
    own = set(protocol.step_rows.values_list("pk", flat=True))
    departments = set(
        Department.objects.filter(brand_id=protocol.brand_id).values_list("pk", flat=True)
    )
    kept = []
    for index, edit in enumerate(steps):
        if edit.id is not None and edit.id not in own:
            raise ProtocolStep.DoesNotExist(f"step {edit.id}")
        if edit.delete:
            continue
        if not edit.text.strip():
            raise DomainError(_("A step needs a text."), field="text", index=index)
        if len(edit.text.strip()) > 500:
            raise DomainError(_("A step is at most 500 characters."), field="text", index=index)
        if edit.owner_role not in StepOwner.values:
            raise DomainError(_("Choose who owns the step."), field="owner_role", index=index)
        if edit.owner_department_id is not None and edit.owner_department_id not in departments:
            raise DomainError(
                _("Choose one of this brand's departments."), field="owner_department", index=index
            )
        minutes = edit.expected_minutes
        if minutes is not None and not 1 <= minutes <= MAX_STEP_MINUTES:
            raise DomainError(
                _("The time a step should take is between 1 and %(max)s minutes.")
                % {"max": MAX_STEP_MINUTES},
                field="expected_minutes",
                index=index,
            )
        kept.append(edit)
    if not kept:
        raise DomainError(_("Write at least one step."), field="steps")
    return kept


def _checked_solutions(names: list[str], *, allowed: bool) -> list[str]:
    """The approved intermediate solutions, once each; none unless that way out is allowed."""
    solutions = list(dict.fromkeys(name.strip() for name in names if name.strip()))
    if not allowed:
        return []
    if not solutions:
        raise DomainError(
            _("Name at least one approved intermediate solution, or do not allow that way out."),
            field="intermediate_solutions",
        )
    if any(len(name) > 200 for name in solutions):
        raise DomainError(
            _("An intermediate solution's name is at most 200 characters."),
            field="intermediate_solutions",
        )
    return solutions


def _save_steps(protocol: Protocol, kept: list[StepEdit]) -> None:
    """Edited steps keep their rows, so the cases that ticked them still point at them."""
    own = {step.pk: step for step in protocol.step_rows.all()}
    protocol.step_rows.exclude(pk__in=[e.id for e in kept if e.id is not None]).delete()
    for position, edit in enumerate(kept):
        step = own[edit.id] if edit.id is not None else ProtocolStep(protocol=protocol)
        step.position, step.text = position, edit.text.strip()
        step.owner_role, step.owner_department_id = edit.owner_role, edit.owner_department_id
        step.expected_minutes = edit.expected_minutes
        step.save()


def _save_solutions(protocol: Protocol, names: list[str]) -> None:
    protocol.solutions.exclude(name__in=names).delete()
    existing = set(protocol.solution_names())
    IntermediateSolution.objects.bulk_create(
        IntermediateSolution(protocol=protocol, name=name) for name in names if name not in existing
    )
