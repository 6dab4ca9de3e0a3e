"""A cheap language guess from function words, good enough to route comments.

The desk reads Spanish and English; everything else is flagged so the classifier can answer
with low confidence instead of pretending. Mixed Spanish-English comments count as Spanish,
as in the labelled corpus.
"""

from collections.abc import Sequence

import numpy as np

_STOPWORDS = {
    "es": frozenset(
        "de la que el en y los se del las un por con una su para es al lo como mas pero sus le "
        "ya me mi hay muy sin sobre tambien fue este esta son ustedes nos tengo pedido gracias "
        "hola buenas porque cuando donde nada todo todos desde hasta otra vez dias llevo cobraron "
        "mis les estan sois habeis os vosotros usted ni eso esto aqui ahi pues pa q tu te "
        "siempre nunca dice hace po wena che pues mae pana wey guey chamo parce oye oigan weon "
        "tienen puedo quiero necesito".split()
    ),
    "en": frozenset(
        "the and to of in is it you that for on my with this was your have be are not but at "
        "they so can just from u ur pls get what how why when been any will would there their "
        "we our us me i im did do does had has an or if no one all out up about still again "
        "who which its than them then only haha like click free trash smell drivers company".split()
    ),
    "pt": frozenset(
        "voce voces nao obrigado obrigada meu minha muito com uma isso esse essa estou sao "
        "ate entao tambem aqui pra vcs nunca mais ainda ele ela eles fazer dinheiro".split()
    ),
    "fr": frozenset(
        "le les des est je vous pas une et pour avec mon ma mes merci tres ce cette sont nous "
        "suis ai au aux du qui sur dans mais ou tout rien jamais toujours".split()
    ),
    "de": frozenset(
        "der die und ist nicht ich sie das mit ein eine danke sehr auch auf fur wir ihr mein "
        "meine kein keine noch schon aber oder wie was wird".split()
    ),
    "it": frozenset(
        "il che non sono per della questo questa grazie molto anche ancora tutto niente sempre "
        "mai gli nel della perche ho hai abbiamo siete".split()
    ),
}
_SUPPORTED = ("es", "en")
#: word -> the languages it is a function word of
LANGUAGES_OF: dict[str, tuple[str, ...]] = {}
for _lang, _words in _STOPWORDS.items():
    for _word in _words:
        LANGUAGES_OF[_word] = (*LANGUAGES_OF.get(_word, ()), _lang)
UNDETERMINED = "und"


def detect_language(tokens: Sequence[str]) -> str:
    """'es', 'en', another ISO code, or 'und' when there are no words to judge."""
    return language_evidence(tokens)[0]


def language_evidence(tokens: Sequence[str]) -> tuple[str, int]:
    """The language guess and how many function words of any language support it."""
    tallies: dict[str, int] = {}
    words = 0
    for token in tokens:
        if not token[0].isalpha():
            continue
        words += 1
        for lang in LANGUAGES_OF.get(token, ()):
            tallies[lang] = tallies.get(lang, 0) + 1
    return language_from_tallies(tallies, words)


def language_from_tallies(tallies: dict[str, int], words: int) -> tuple[str, int]:
    """Decide from function-word counts per language (`words` = alphabetic tokens).

    No function word at all (binary junk, one endless token, a list of hashtags) means
    there is no sentence to judge: the evidence is 0.
    """
    if not words:
        return UNDETERMINED, 0
    evidence = max(tallies.values(), default=0)
    es_score, en_score = tallies.get("es", 0), tallies.get("en", 0)
    others = [(count, lang) for lang, count in tallies.items() if lang not in _SUPPORTED]
    if others:
        count, lang = max(others)
        if count >= 2 and count > max(es_score, en_score):
            return lang, evidence
    if en_score > es_score * 2 or (en_score > es_score and es_score < 2):
        return "en", evidence
    return "es", evidence


def is_supported(lang: str) -> bool:
    return lang in _SUPPORTED


def languages_from_tallies(
    tallies: dict[str, np.ndarray], words: np.ndarray
) -> tuple[list[str], np.ndarray]:
    """`language_from_tallies` for a whole batch at once: languages and evidence per comment.

    Same decision, vectorised: ties between other languages go to the later name, as
    `max((count, lang))` does in the scalar version.
    """
    count = len(words)
    zeros = np.zeros(count, dtype=np.int64)
    es_score, en_score = tallies.get("es", zeros), tallies.get("en", zeros)
    evidence = np.max(np.stack([zeros, *tallies.values()]), axis=0)
    langs = np.where(
        (en_score > es_score * 2) | ((en_score > es_score) & (es_score < 2)), "en", "es"
    ).astype(object)
    others = sorted((lang for lang in tallies if lang not in _SUPPORTED), reverse=True)
    if others:
        other_counts = np.stack([tallies[lang] for lang in others])
        best = other_counts.argmax(axis=0)
        best_count = other_counts.max(axis=0)
        wins = (best_count >= 2) & (best_count > np.maximum(es_score, en_score))
        langs[wins] = np.array(others, dtype=object)[best[wins]]
    undetermined = words == 0
    langs[undetermined] = UNDETERMINED
    evidence[undetermined] = 0
    return langs.tolist(), evidence
