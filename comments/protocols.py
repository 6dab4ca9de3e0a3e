"""The response protocol each brand starts from, taken from the seed texts, and its lookup.

A brand gets its own editable copy of a protocol the first time a case of that kind needs it,
so supervisors change their brand's protocol without touching anyone else's.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from comments.models import Category, Level, Outcome, Protocol, ReplyTemplate


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
    SeedTemplate("Pasar a privado", "es",
                 "Hola {customer_name}, te escribimos por mensaje privado para revisar tu caso "
                 "#{case_number} con tus datos. Gracias por la paciencia.", private_handoff=True),
    SeedTemplate("Move to private", "en",
                 "Hi {customer_name}, we have written to you privately to look into case "
                 "#{case_number} with your details. Thank you for your patience.",
                 private_handoff=True),
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
        SeedTemplate("Respuesta ágil", "es",
                     "Hola {customer_name}, gracias por escribirnos. Ya estamos revisando tu caso "
                     "#{case_number} con {department} y te contamos hoy mismo cómo lo "
                     "resolvemos."),
        SeedTemplate("Quick answer", "en",
                     "Hi {customer_name}, thank you for writing to us. We are already looking "
                     "into case #{case_number} with {department} and will tell you today how we "
                     "solve it."),
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
        SeedTemplate("Disculpa y solución", "es",
                     "Hola {customer_name}, lamentamos mucho lo ocurrido y entendemos tu "
                     "molestia. Ya tenemos tu caso #{case_number} con {department} y te "
                     "escribimos en privado para resolverlo hoy."),
        SeedTemplate("Apology and solution", "en",
                     "Hi {customer_name}, we are very sorry about what happened and understand "
                     "your frustration. Case #{case_number} is already with {department}; we "
                     "are writing to you privately to solve it today."),
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
        SeedTemplate("Contacto sereno", "es",
                     "Hola {customer_name}, lamentamos que tu experiencia no haya sido buena. "
                     "Queremos entender qué pasó: te escribimos en privado (caso "
                     "#{case_number})."),
        SeedTemplate("Calm contact", "en",
                     "Hi {customer_name}, we are sorry your experience was not good. We want to "
                     "understand what happened and have written to you privately (case "
                     "#{case_number})."),
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
        SeedTemplate("Respuesta de crisis", "es",
                     "Hola {customer_name}, lamentamos profundamente lo ocurrido. Lo estamos "
                     "atendiendo con prioridad (caso #{case_number}) y te escribimos en privado "
                     "ahora mismo."),
        SeedTemplate("Crisis answer", "en",
                     "Hi {customer_name}, we are deeply sorry about what happened. We are "
                     "treating it as a priority (case #{case_number}) and are writing to you "
                     "privately right now."),
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
                brand=brand, category=category, level=level, steps="\n".join(seed.steps),
                outcomes=[str(o) for o in seed.outcomes],
                requires_approval=seed.requires_approval,
            )
            ReplyTemplate.objects.bulk_create(
                ReplyTemplate(protocol=protocol, name=t.name, language=t.language, body=t.body,
                              private_handoff=t.private_handoff)
                for t in seed.templates
            )
    except IntegrityError:  # another request seeded it first
        protocol = Protocol.objects.get(brand=brand, category=category, level=level)
    return protocol
