"""`tone_check`: what a community manager's draft reply says about its tone, before it is sent.

The desk must never answer anger with anger, mock a customer or blame them in public: a
reply is as public as the complaint and can start a ripple of its own. The check reuses the
classifier's normalisation and signals (insults, profanity, threats, mockery, shouting read
the same in a reply as in a comment) and adds what only a reply can get wrong: sarcasm,
blaming the customer, and no apology when answering a complaint. Pure Python, no Django.
"""

import re
from dataclasses import dataclass

from classifier.matcher import Matcher
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
_REPLY_MATCHER = Matcher(_REPLY_LEXICON, {})

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
    `high_level` comment): then a reply without an apology is warned too. `lang` is accepted
    for symmetry with `classify`; both languages' lexicons always run because replies mix
    them as comments do.
    """
    normalised = normalise(text)
    found = _from_comment_signals(analyse(normalised), normalised.original)
    found.update(_reply_warnings(normalised.tokens, normalised.original))
    if "shouting" not in found and (run := _CAPITALS_RUN.search(normalised.original)):
        found["shouting"] = run.group(0)
    apologised = found.pop("apology", None) is not None
    if replying_to_complaint and not apologised and normalised.tokens:
        found["missing_apology"] = ""
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
