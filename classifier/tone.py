"""`tone_check`: what a community manager's draft reply says about its tone, before it is sent.

The desk must never answer anger with anger, mock a customer or blame them in public: a
reply is as public as the complaint and can start a ripple of its own. The check reuses the
classifier's normalisation and signals (insults, profanity, threats, mockery, shouting read
the same in a reply as in a comment) and adds what only a reply can get wrong: sarcasm,
blaming the customer, and no apology when answering a complaint. Pure Python, no Django.
"""

import re
from dataclasses import dataclass

from classifier.matcher import PUNCTUATION, Matcher
from classifier.normalise import normalise
from classifier.signals import Signals, analyse, is_negated, original_words

#: Kinds of warning, in the order they are reported.
KINDS = (
    "threat",
    "insult",
    "profanity",
    "anger",
    "shouting",
    "mockery",
    "sarcasm",
    "blame",
    "missing_apology",
    "no_next_step",
)
#: Comment signals and the warning each means in a reply.
_FROM_SIGNALS = {
    "violence_threat": "threat",
    "threat": "threat",
    "insult": "insult",
    "profanity": "profanity",
    "exclamations": "anger",
    "shouting": "shouting",
    "mockery": "mockery",
}
#: Courtesies of customer service that the comment lexicons read as mockery ("claro que
#: si" is sarcastic from a customer and plain help from the brand).
_COURTESY = frozenset({"claro que si", "muy profesional", "sigan asi", "great job", "well done"})

_REPLY_LEXICON = {
    "sarcasm": [
        # Spanish
        "que raro",
        "que sorpresa",
        "obviamente",
        "evidentemente usted|tu",
        "como ya le|te|les dijimos|explicamos|indicamos",
        "como ya se le|te|les dijo|explico|indico",
        "si claro",
        "si como no",
        "por supuesto que no",
        "no es tan dificil",
        "es muy facil",
        "cualquiera puede",
        # English
        "obviously",
        "clearly you",
        "as we already told|said|explained",
        "as already explained|mentioned|stated",
        "as we have said",
        "good luck with that",
        "what a surprise",
        "nice try",
        "sure you did",
        "it is not that hard|difficult",
        "it is really simple",
        "anyone can",
    ],
    "blame": [
        # Spanish
        "es|fue su|tu culpa",
        # (Alternatives are per word: "a|b c" is "a c" or "b c"; a two-word alternative is a
        # phrase of its own.)
        "es|fue culpa suya|tuya",
        "es|fue culpa del cliente",
        "es|fue culpa de usted|ustedes",
        "error suyo|tuyo",
        "error del cliente",
        "error de usted|ustedes",
        "fue su|tu error",
        "usted|tu se equivoco|equivocaste|equivoco",
        "usted|tu|ustedes no leyo|leiste|leyeron|reviso|revisaste|revisaron|entendio|entendiste"
        "|entendieron",
        "debio|debiste|debia|debias|debieron|debian|tendria|tendrias|tenia|tenias|tenian que|de"
        " leer|revisar|fijarse|fijarte",
        "debio|debiste haber|leido|revisado",
        "debio|debiste|debieron|debia|debias|debian leer|revisar|fijarse|fijarte",
        "si hubiera|hubieras leido|revisado|leido",
        "no sabe|sabes usar",
        "lea|lee|lean los|las terminos|condiciones",
        "eso le|te pasa por",
        "no es nuestro problema",
        "no es nuestra culpa|responsabilidad",
        "no es|fue culpa nuestra",
        "no es|fue culpa de nosotros",
        "es problema suyo|tuyo",
        # English
        "your fault",
        "you should have read|checked|known|noticed",
        "if you had read|checked",
        "you failed to",
        "you did not read|check|follow",
        "user error",
        "not our problem|fault|responsibility",
        "that is on you",
        "read the terms|instructions|manual",
        "learn to",
    ],
    "apology": [
        "disculpa|disculpas|disculpe|disculpen|disculpanos|disculpennos",
        "lamentamos|lamento|lamentablemente",
        "sentimos|siento",
        "lo sentimos|siento",
        "perdon|perdona|perdone|perdonen",
        "sorry",
        "apologize|apologise|apologies|apologizing|apologising",
        "we regret",
        "i regret",
    ],
}
#: What makes a reply to a complaint resolutive (seed 003: conciliatory, calm and resolutive): a
#: solution given, a next step promised, or something asked of the customer that moves the
#: case. Spanish verbs of the brand's own actions are read by `_BRAND_ACTION` below.
_REPLY_LEXICON["next_step"] = [
    # Spanish: what the customer will see, when, and what we ask of them
    "lo|la|los|las veras|vera|veran|recibiras|recibira|recibiran|tendras|tendra",
    "te|le|les llega|llegara|llegaran|llamara|escribira|contactara|visitara",
    "llegara|llegaran|reflejara|reflejaran|acreditara|acreditaran|estara listo|lista",
    "vamos a _",
    "en|dentro de <num> dias|horas|minutos|semanas|habiles",
    "<num> dias|horas habiles|laborables",
    "manana",
    "hoy mismo",
    "esta tarde|noche|semana",
    "el|este|el proximo lunes|martes|miercoles|jueves|viernes|sabado|domingo",
    "escribenos|envianos|mandanos|compartenos|indicanos|cuentanos|llamanos|contactanos|dinos",
    "escribanos|envienos|mandenos|compartanos|indiquenos|cuentenos|llamenos|contactenos",
    "diganos|confirmanos|confirmenos|pasanos|pasenos|facilitanos|facilitenos",
    "nos compartes|comparte|envias|envia|indicas|indica|confirmas|confirma|cuentas|cuenta",
    "nos escribes|escribe|mandas|manda|pasas|pasa|facilitas|facilita|dices|dice",
    "puedes|puede|podrias|podria|podes|pueden|podrian enviar*|escribi*|compart*|llama*|indica*",
    "puedes|puede|podrias|podria|podes|pueden|podrian confirm*|revis*|intent*|actualiz*|ingres*",
    "por|al|en dm|md|privado|inbox",
    "mensaje privado|directo",
    "ingresa|ingrese|visita|visite|actualiza|actualice|reinicia|reinicie|intenta|intente",
    "descarga|descargue|selecciona|seleccione|acude|acuda|dirigete|dirijase|llama|llame al",
    "tu|su folio|radicado|ticket",
    "numero de caso|seguimiento|guia|reclamo|ticket|folio|radicado",
    "nota de credito",
    "ya esta|quedo|queda|fue resuelto|resuelta|solucionado|solucionada|corregido|corregida",
    "ya esta|quedo|queda|fue activo|activa|activado|activada|habilitado|habilitada|en camino",
    "ya tiene|tienen|tienes su|tu folio|numero|reembolso|devolucion",
    # English: a fix done, a promise with its time, a request that moves the case
    "we|i refund*|issu*|sent|resent|fix*|correct*|resolv*|credit*|revers*|replac*|reactivat*",
    "we|i unlock*|escalat*|schedul*|book*|process*|restor*|reset|shipp*|waiv*|forward*|cancel*",
    "we|i have|already|just|are|am refund*|issu*|sent|resent|fix*|correct*|resolv*|credit*",
    "we|i have|already|just|are|am revers*|replac*|reactivat*|unlock*|escalat*|schedul*",
    "we|i have|already|just|are|am book*|process*|restor*|reset|shipp*|waiv*|forward*|cancel*",
    "we|i are|am check*|look*|review*|investigat*|contact*|call*|email*|messag*|send*|sort*",
    "has|have|was|were|is|are been|being refund*|issu*|sent|fix*|resolv*|credit*|revers*",
    "has|have|was|were|is|are been|being replac*|reactivat*|unlock*|escalat*|schedul*|shipp*",
    "has|have|was|were|is|are been|being process*|restor*|reset|forward*|sort*",
    "we|i will|shall _",
    "we|i are|am going to _",
    "technician|agent|specialist|team|colleague|courier|someone will _",
    "you will|should receive|see|get|hear|have",
    "it will|should arrive|reach|show|appear|be",
    "ships|arrives|ship|arrive today|tomorrow|tonight",
    "today|tomorrow|tonight",
    "this afternoon|evening|week",
    "within|in <num> days|hours|minutes|weeks",
    "<num> business|working days",
    "by|on|next|this monday|tuesday|wednesday|thursday|friday|saturday|sunday|noon|tomorrow",
    "dm|message|email|call|text|contact|send|tell us",
    "let us know",
    "reach out",
    "reply with",
    "please send|share|dm|message|email|call|reply|contact|check|try|visit|update|restart",
    "please reinstall|log|sign|clear|confirm|follow|go",
    "go|head to",
    "log|sign in",
    "try again",
    "via|by|in|over dm|email|phone",
    "private|direct message",
    "case|ticket|reference|tracking number",
    "store credit",
]
_REPLY_MATCHER = Matcher(_REPLY_LEXICON, {})
#: The brand's own action in Spanish, done, under way or promised: "emitimos", "devolvemos",
#: "estamos revisando", "escribiremos", "ya anulado". Stems, not a phrase per form: each verb
#: has a dozen that a reply may use.
_BRAND_ACTION = re.compile(
    r"^(?:revis|devolv|devuel|reembols|reintegr|acredit|abon|bonific|envi|reenvi|escrib|llam"
    r"|contact|mand|deposit|cambi|gestion|correg|corrig|resolv|solucion|arregl|repar|emit"
    r"|proces|aplic|anul|cancel|activ|reactiv|desbloque|bloque|escal|deriv|program|agend"
    r"|asign|registr|verific|confirm|liber|restablec|investig|analiz|valid|rastre|actualiz"
    r"|repon|compens|reembolz|habilit|coordin|tramit|cobr)"
    r"(?:amos|emos|imos|aremos|eremos|iremos|ando|iendo)$"
)
#: Irregular forms of the same actions.
_BRAND_ACTION_WORDS = frozenset({"hicimos", "haremos", "repusimos", "daremos", "pusimos"})
#: Questions that move nothing: rhetorical or filler.
_IDLE_QUESTIONS = (
    ("y", "que"),
    ("que", "mas"),
    ("que", "quiere"),
    ("que", "quieres"),
    ("que", "quieren"),
    ("que", "esperaba"),
    ("que", "esperabas"),
    ("algo", "mas"),
    ("what", "else"),
    ("what", "more"),
    ("what", "do", "you", "expect"),
    ("anything", "else"),
)
_SENTENCE_ENDS = frozenset({".", "!", ";"})
_QUESTION_MARK = "?"  # "¿" is folded to it too

#: Three words in capitals in a row. A comment shouts when most of it is in capitals; a reply
#: from the brand already shouts with one such run ("ESO NO ES CULPA NUESTRA, revise…").
#: Acronyms come alone (PROFECO, CEO), so they do not make a run.
_CAPITALS_RUN = re.compile(r"\b[A-ZÁÉÍÓÚÜÑ]{2,}(?:[\s,]+[A-ZÁÉÍÓÚÜÑ]{2,}){2,}\b")


@dataclass(frozen=True, slots=True)
class ToneWarning:
    """A reason to reread a draft before sending it, with the words that raised it."""

    kind: str
    evidence: str


def tone_check(
    text: str, lang: str | None = None, *, replying_to_complaint: bool = False
) -> list[ToneWarning]:
    """Warnings about the tone of a draft reply, one per kind, in the order of `KINDS`.

    `replying_to_complaint` says the reply answers a complaint (a `pqr`, `insult` or
    `high_level` comment): then a reply without an apology is warned too, and so is one that
    offers no solution, no next step and no question that moves the case forward
    (`no_next_step`: "Lamentamos lo ocurrido." solves nothing). `lang` is accepted
    for symmetry with `classify`; both languages' lexicons always run because replies mix
    them as comments do.
    """
    normalised = normalise(text)
    found = _from_comment_signals(analyse(normalised), normalised.original)
    found.update(_reply_warnings(normalised.tokens, normalised.original))
    if "shouting" not in found and (run := _CAPITALS_RUN.search(normalised.original)):
        found["shouting"] = run.group(0)
    apologised = found.pop("apology", None) is not None
    resolutive = found.pop("next_step", None) is not None
    if replying_to_complaint and not apologised and normalised.tokens:
        found["missing_apology"] = ""
    if (
        replying_to_complaint
        and normalised.tokens
        and not resolutive
        and not _moves_the_case(normalised.tokens)
    ):
        found["no_next_step"] = ""
    return [ToneWarning(kind, found[kind]) for kind in KINDS if kind in found]


def _from_comment_signals(signals: Signals, original: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for signal, kind in _FROM_SIGNALS.items():
        phrases = signals.fired.get(signal, ())
        if signal == "mockery":
            phrases = [phrase for phrase in phrases if phrase not in _COURTESY]
        if phrases and kind not in found:
            found[kind] = (
                phrases[0]
                if signal in ("shouting", "exclamations")
                else original_words(original, phrases[0])
            )
    return found


def _reply_warnings(tokens: tuple[str, ...], original: str) -> dict[str, str]:
    """Sarcasm, blame and apology in the reply; a negated one does not count ("no es su
    culpa" blames nobody, "no lo sentimos" is no apology)."""
    hits, _, _ = _REPLY_MATCHER.find(tokens)
    found: dict[str, str] = {}
    for hit in hits:
        if hit.signal in found or is_negated(tokens, hit.start):
            continue
        found[hit.signal] = original_words(original, " ".join(tokens[hit.start : hit.end]))
    return found


def _moves_the_case(tokens: tuple[str, ...]) -> bool:
    """A Spanish verb of the brand's own action, not negated, or a real question to the
    customer ("¿Nos compartes tu número de pedido?"), not a rhetorical one."""
    for position, token in enumerate(tokens):
        if (_BRAND_ACTION.match(token) or token in _BRAND_ACTION_WORDS) and not is_negated(
            tokens, position
        ):
            return True
    return any(_asks(question) for question in _questions(tokens))


def _questions(tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The sentences closed by a question mark ("¿" opens one and is read as "?" too)."""
    questions: list[tuple[str, ...]] = []
    sentence: list[str] = []
    for token in tokens:
        if token == _QUESTION_MARK:
            if sentence:
                questions.append(tuple(sentence))
            sentence = []
        elif token in _SENTENCE_ENDS:
            sentence = []
        elif token not in PUNCTUATION:
            sentence.append(token)
    return questions


def _asks(question: tuple[str, ...]) -> bool:
    if len(question) < 2:
        return False
    return not any(question[: len(idle)] == idle for idle in _IDLE_QUESTIONS)
