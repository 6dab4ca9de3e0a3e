"""The response protocol each brand starts from, taken from the seed texts, and its lookup.

A brand gets its own editable copy of a protocol the first time a case of that kind needs it,
so supervisors change their brand's protocol without touching anyone else's.
"""

import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.access import brand_ids_for
from brands.models import Brand
from comments.models import AuditEvent, Category, Level, Outcome, Protocol, ReplyTemplate

CHANGE = "comments.change_protocol"
#: The languages a reply template can be written in: the desk's interface languages.
LANGUAGES = ("es", "en")


@dataclass(frozen=True)
class SeedTemplate:
    name: str
    language: str
    body: str
    private_handoff: bool = False


@dataclass(frozen=True)
class SeedProtocol:
    steps: tuple[str, ...]
    outcomes: tuple[str, ...]
    requires_approval: bool
    templates: tuple[SeedTemplate, ...] = field(default=())


_PRIVATE = (
    SeedTemplate(
        "Pasar a privado",
        "es",
        "Hola {customer_name}, te escribimos por mensaje privado para revisar tu caso "
        "#{case_number} con tus datos. Gracias por la paciencia.",
        private_handoff=True,
    ),
    SeedTemplate(
        "Move to private",
        "en",
        "Hi {customer_name}, we have written to you privately to look into case "
        "#{case_number} with your details. Thank you for your patience.",
        private_handoff=True,
    ),
)

_PQR = SeedProtocol(
    steps=(
        "Responde rápido y con amabilidad; usa la FAQ si la pregunta ya tiene respuesta.",
        "Si hacen falta datos personales, pasa la conversación a privado.",
        "Reúne la información una sola vez y envíala al área que corresponda.",
        "Haz seguimiento diario hasta que el cliente quede satisfecho.",
    ),
    outcomes=(Outcome.SOLVED, Outcome.INTERMEDIATE),
    requires_approval=False,
    templates=(
        SeedTemplate(
            "Respuesta ágil",
            "es",
            "Hola {customer_name}, gracias por escribirnos. Ya estamos revisando tu caso "
            "#{case_number} con {department} y te contamos hoy mismo cómo lo "
            "resolvemos.",
        ),
        SeedTemplate(
            "Quick answer",
            "en",
            "Hi {customer_name}, thank you for writing to us. We are already looking "
            "into case #{case_number} with {department} and will tell you today how we "
            "solve it.",
        ),
        *_PRIVATE,
    ),
)

_PQR_RISK = SeedProtocol(
    steps=(
        "Responde en público con calma: reconoce el problema y pide disculpas.",
        "Pasa a privado para reunir los datos; no discutas en público.",
        "Deriva al área con toda la información para que el cliente no repita nada.",
        "Define la salida: solución completa si fue culpa nuestra, intermedia si no.",
        "Un supervisor aprueba la respuesta antes de publicarla.",
    ),
    outcomes=(Outcome.SOLVED, Outcome.INTERMEDIATE),
    requires_approval=True,
    templates=(
        SeedTemplate(
            "Disculpa y solución",
            "es",
            "Hola {customer_name}, lamentamos mucho lo ocurrido y entendemos tu "
            "molestia. Ya tenemos tu caso #{case_number} con {department} y te "
            "escribimos en privado para resolverlo hoy.",
        ),
        SeedTemplate(
            "Apology and solution",
            "en",
            "Hi {customer_name}, we are very sorry about what happened and understand "
            "your frustration. Case #{case_number} is already with {department}; we "
            "are writing to you privately to solve it today.",
        ),
        *_PRIVATE,
    ),
)

_INSULT = SeedProtocol(
    steps=(
        "No respondas con ironía ni bloquees como reflejo.",
        "Contacta al cliente: puede haber un problema real detrás del enojo.",
        "Refuta con datos y con calma lo que sea falso.",
        "Si es un troll, márcalo: se monitorea y no se le alimenta.",
    ),
    outcomes=(Outcome.SOLVED, Outcome.INTERMEDIATE, Outcome.TROLL),
    requires_approval=True,
    templates=(
        SeedTemplate(
            "Contacto sereno",
            "es",
            "Hola {customer_name}, lamentamos que tu experiencia no haya sido buena. "
            "Queremos entender qué pasó: te escribimos en privado (caso "
            "#{case_number}).",
        ),
        SeedTemplate(
            "Calm contact",
            "en",
            "Hi {customer_name}, we are sorry your experience was not good. We want to "
            "understand what happened and have written to you privately (case "
            "#{case_number}).",
        ),
        *_PRIVATE,
    ),
)

_HIGH_LEVEL = SeedProtocol(
    steps=(
        "Avisa al comité de crisis (el desk ya lo hizo al llegar el rojo).",
        "Responde en minutos con una respuesta pública serena, sin automatismos.",
        "El vocero prepara el comunicado; lo aprueba alguien con poder de decisión.",
        "Pasa a privado para reunir datos y deriva a legal o al área que corresponda.",
        "Vigila el efecto onda: comentarios parecidos de otras personas.",
    ),
    outcomes=(Outcome.SOLVED, Outcome.INTERMEDIATE),
    requires_approval=True,
    templates=(
        SeedTemplate(
            "Respuesta de crisis",
            "es",
            "Hola {customer_name}, lamentamos profundamente lo ocurrido. Lo estamos "
            "atendiendo con prioridad (caso #{case_number}) y te escribimos en privado "
            "ahora mismo.",
        ),
        SeedTemplate(
            "Crisis answer",
            "en",
            "Hi {customer_name}, we are deeply sorry about what happened. We are "
            "treating it as a priority (case #{case_number}) and are writing to you "
            "privately right now.",
        ),
        *_PRIVATE,
    ),
)

_OTHER = SeedProtocol(
    steps=("Agradece o responde donde aporte; no hace falta seguimiento.",),
    outcomes=(Outcome.SOLVED,),
    requires_approval=False,
    templates=(
        SeedTemplate("Gracias", "es", "¡Gracias, {customer_name}! Nos alegra leerte."),
        SeedTemplate("Thanks", "en", "Thank you, {customer_name}! We are glad to hear from you."),
    ),
)


def seed_protocol(category: str, level: str) -> SeedProtocol:
    """The seed texts' protocol for a kind of case. By default every reply to a yellow or a
    red waits for a supervisor's approval."""
    if category == Category.HIGH_LEVEL:
        return _HIGH_LEVEL
    if category == Category.INSULT:
        return _INSULT
    if category == Category.OTHER:
        return _OTHER
    return _PQR if level == Level.GREEN else _PQR_RISK


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
                steps="\n".join(seed.steps),
                outcomes=[str(o) for o in seed.outcomes],
                requires_approval=seed.requires_approval,
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


class ProtocolError(Exception):
    """An edit the rules refuse; ``field`` names the input to point at (or None)."""

    def __init__(self, message: str, *, field: str | None = None, index: int | None = None):
        super().__init__(message)
        self.field, self.index = field, index


@dataclass(frozen=True)
class TemplateEdit:
    """One row of the templates form: ``id`` None adds a template; ``delete`` removes one."""

    id: int | None
    name: str
    language: str
    body: str
    private_handoff: bool = False
    delete: bool = False


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
        "steps": protocol.step_list(),
        "outcomes": list(protocol.outcomes),
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
    steps: str,
    outcomes: list[str],
    requires_approval: bool,
    templates: list[TemplateEdit],
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
    steps = "\n".join(line.strip() for line in steps.splitlines() if line.strip())
    if not steps:
        raise ProtocolError(_("Write at least one step."), field="steps")
    chosen = [o for o in Outcome.values if o in set(outcomes)]
    if not chosen or len(set(outcomes)) != len(chosen):
        raise ProtocolError(
            _("Choose at least one way out, among the known ones."), field="outcomes"
        )
    for index, edit in enumerate(templates):
        if edit.delete:
            continue
        unknown = unknown_placeholders(edit.body)
        if unknown:
            raise ProtocolError(
                _("Unknown placeholder {%(name)s}: use %(known)s.")
                % {"name": unknown[0], "known": ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)},
                field="body",
                index=index,
            )
        if not edit.name.strip() or not edit.body.strip():
            raise ProtocolError(_("A template needs a name and a text."), field="body", index=index)
        if edit.language not in LANGUAGES:
            raise ProtocolError(_("Choose the template's language."), field="language", index=index)
    before = _summary(protocol)
    own = {t.pk: t for t in protocol.templates.all()}
    for edit in templates:
        if edit.id is not None and edit.id not in own:
            raise ReplyTemplate.DoesNotExist(f"template {edit.id}")
        if edit.delete:
            if edit.id is not None:
                own[edit.id].delete()
            continue
        template = own.get(edit.id) or ReplyTemplate(protocol=protocol)
        template.name, template.language = edit.name.strip(), edit.language
        template.body, template.private_handoff = edit.body.strip(), edit.private_handoff
        template.save()
    protocol.steps, protocol.outcomes = steps, chosen
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
            action="protocol_changed",
            before={**identity, **before},
            after={**identity, **after},
            created_at=timezone.now(),
        )
    return protocol
