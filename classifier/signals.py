"""Which taxonomy signals a comment carries, and the words that carry them.

Signals feed two consumers: the model (as features next to the n-grams) and the rules (which
turn "violence_threat" or "churn_threat" into a level). A trigger is dropped when an innocent
phrase covers it ("mi abuelo era policía") and kept aside as *negated* when a negation governs
it ("no voy a denunciar"): negated triggers are features for the model, never reasons.
"""

from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from classifier import lexicons
from classifier.language import LANGUAGES_OF
from classifier.matcher import PUNCTUATION, Hit, Matcher
from classifier.normalise import Normalised, normalise
from classifier.values import Reason
from classifier.watchlists import folded_watchlist, seed_watchlist

#: Signals that a careful community manager would read as negated by "no", "nunca", "not".
NEGATABLE = frozenset(
    {
        "authority_mention",
        "media_mention",
        "health_safety",
        "fraud_fact",
        "collective",
        "violence_threat",
        "threat",
        "churn_threat",
        "praise",
    }
)
#: Signals that by themselves point at the high_level category.
HIGH_LEVEL_SIGNALS = (
    "authority_mention",
    "media_mention",
    "health_safety",
    "fraud_fact",
    "collective",
)
#: A vital item (insulin, oxygen, dialysis...) and its loss or cut ("perdieron", "sin luz",
#: "spoiled") anywhere in the same comment are together a health risk, each alone ordinary.
VITAL_ITEM, DEPRIVATION = "vital_item", "deprivation"
#: Likewise a foreign body ("vidrio", "un tornillo") with a food, and a medicine with a
#: mix-up ("en vez de", "wrong"): harm the taxonomy counts as health and safety.
FOREIGN_OBJECT, FOOD_ITEM = "foreign_object", "food_item"
MEDICATION, MIX_UP = "medication", "mix_up"
#: Pairs of parts that together are a health risk; the first part is the evidence.
HEALTH_PAIRS = ((VITAL_ITEM, DEPRIVATION), (FOREIGN_OBJECT, FOOD_ITEM), (MEDICATION, MIX_UP))
#: Lexicon signals that are features only, never shown to a community manager as reasons.
FEATURE_ONLY = frozenset(
    {"claim", "question", "care_setting", *(part for pair in HEALTH_PAIRS for part in pair)}
)
#: Of those, the ones recorded with the comment's words (they become a reason when combined).
_KEEP_WORDS = frozenset(part for pair in HEALTH_PAIRS for part in pair)
_PRESENCE_ONLY = FEATURE_ONLY - _KEEP_WORDS
#: Words allowed between a negator and the trigger it negates: auxiliaries, pronouns,
#: articles ("no LO VOY A denunciar", "I'm NOT GOING TO sue").
NEGATION_BRIDGE = frozenset(
    "voy vamos va van a lo la los las le les me te se nos quiero queremos quiere pienso pensamos "
    "es fue era hay hubo habia estoy estamos ir hacer un una el mi de para tengo tenemos "
    "i am will going to do does did want plan planning is was are were be any the have has "
    "been gonna we my an ever que dije digo creo said say think pienso".split()
)
_NEAR_NEGATORS = frozenset({"sin", "nadie", "without", "nobody", "nor"})
_NEGATION_WINDOW = 4
_NOTHING: frozenset[str] = frozenset()


class Signals(NamedTuple):
    """Fired signals (signal -> folded phrases, in order of appearance) and negated ones."""

    fired: dict[str, list[str]]
    negated: frozenset[str]

    def has(self, signal: str) -> bool:
        return signal in self.fired

    def first(self, signal: str) -> str:
        return self.fired[signal][0]


class BatchSignals(NamedTuple):
    """Signals per comment, plus what language detection needs: words and function words."""

    signals: list[Signals]
    words: np.ndarray  # alphabetic tokens per comment
    tallies: dict[str, np.ndarray]  # language -> its function words per comment


def is_negated(tokens: Sequence[str], start: int) -> bool:
    """A negator shortly before the trigger, joined to it only by auxiliaries, negates it."""
    position = start - 1
    lowest = max(0, start - 1 - _NEGATION_WINDOW)
    while position >= lowest:
        token = tokens[position]
        if token in PUNCTUATION or token in lexicons.SCOPE_BREAKERS:
            return False
        if token in lexicons.NEGATORS:
            if token in _NEAR_NEGATORS and position != start - 1:
                return False
            before = tokens[position - 1] if position > 0 else ""
            return before not in lexicons.CONDITIONALS
        if token not in NEGATION_BRIDGE:
            return False
        position -= 1
    return False


def _innocent_spans(hits: Sequence[Hit]) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {}
    for hit in hits:
        if hit.innocent:
            spans.setdefault(hit.signal, []).append((hit.start, hit.end))
    return spans


def _overlaps(hit: Hit, innocent_spans: list[tuple[int, int]]) -> bool:
    return any(hit.start < end and start < hit.end for start, end in innocent_spans)


def _tag_signal(tag: str) -> str | None:
    """@handles of news outlets and regulators, and #campaign hashtags, are signals too."""
    if tag[0] == "#":
        return (
            "collective" if any(part in tag for part in lexicons.CAMPAIGN_HASHTAG_PARTS) else None
        )
    seeded = SEEDED_HANDLES.get(tag)
    if seeded:
        return seeded
    if _handle_matches(tag, lexicons.MEDIA_HANDLE_PARTS):
        return "media_mention"
    if _handle_matches(tag, lexicons.AUTHORITY_HANDLE_PARTS):
        return "authority_mention"
    return None


def _handle_matches(handle: str, parts: tuple[str, ...]) -> bool:
    """Short codes ("ftc", "ocu") must start the handle; longer parts may sit anywhere."""
    name = handle[1:]
    return any(name.startswith(part) if len(part) <= 4 else part in name for part in parts)


#: The shipped watchlist seeds of every market: an outlet or regulator is one wherever the
#: brand sells. A brand's own watchlist adds to these (`classify(..., watchlist=...)`).
SEEDED_HANDLES = folded_watchlist(seed_watchlist())

_MATCHER = Matcher(lexicons.POSITIVE, lexicons.INNOCENT, _tag_signal, LANGUAGES_OF)


def analyse(normalised: Normalised) -> Signals:
    """The signals of one comment (batches go through `analyse_batch`)."""
    return analyse_batch([normalised]).signals[0]


def analyse_batch(normalised: Sequence[Normalised]) -> BatchSignals:
    """The signals of every comment of a batch; the lexicon lookups run once for the batch."""
    findings = _MATCHER.find_batch([item.tokens for item in normalised])
    hits_of = findings.hits
    signals = []
    for index, item in enumerate(normalised):
        hits = hits_of.get(index)
        if hits is None and item.shouting is None and item.exclamations is None:
            signals.append(Signals({}, _NOTHING))
        else:
            signals.append(_signals_from_hits(item, hits or ()))
    return BatchSignals(signals, findings.words, findings.tallies)


def _signals_from_hits(normalised: Normalised, hits: Sequence[Hit]) -> Signals:
    """Drop innocent uses, set negated triggers aside, and add the surface signals."""
    tokens = normalised.tokens
    fired: dict[str, list[str]] = {}
    negated: set[str] = set()
    innocent: dict[str, list[tuple[int, int]]] | None = None
    for hit in hits:
        signal, start, end, is_innocent, phrase = hit  # unpacking beats five attribute reads
        if is_innocent:
            continue
        if signal in _PRESENCE_ONLY:
            # only their presence matters to the model; no phrase, no negation check
            if signal not in fired:
                fired[signal] = [phrase]
            continue
        if innocent is None:
            innocent = _innocent_spans(hits)
        if innocent:
            spans = innocent.get(signal)
            if spans and _overlaps(hit, spans):
                continue
        if signal in NEGATABLE and is_negated(tokens, start):
            negated.add(signal)
            continue
        words = tokens[start] if end - start == 1 else " ".join(tokens[start:end])
        phrases = fired.get(signal)
        if phrases is None:
            fired[signal] = [words]
        else:
            phrases.append(words)
    if "health_safety" not in fired:
        for first, second in HEALTH_PAIRS:
            if first in fired and second in fired:
                fired["health_safety"] = [fired[first][0]]
                break
    if normalised.shouting:
        fired["shouting"] = [normalised.shouting]
    if normalised.exclamations:
        fired["exclamations"] = [normalised.exclamations]
    negated_only = frozenset(negated - fired.keys()) if negated else _NOTHING
    return Signals(fired, negated_only)


# --- reasons, for people -------------------------------------------------------------------

_REASON_NAMES = {
    "profanity": "hostility",
    "threat": "hostility",
    "shouting": "hostility",
    "exclamations": "hostility",
}
_ACCENT_CLASSES = {
    "a": "aáàäâã4@",
    "e": "eéèëê3",
    "i": "iíìïî1!",
    "o": "oóòöôõ0",
    "u": "uúùüû",
    "n": "nñ",
    "s": "s5$",
    "t": "t7",
    "c": "cç",
    "g": "g9",
    "b": "b8",
}


@lru_cache(maxsize=8192)
def _evidence_pattern(phrase: str):
    """A pattern finding `phrase` in the original text despite case, accents, leet, repeats."""
    import re

    parts = []
    for char in phrase:
        if char == " ":
            parts.append(r"[\W_]*")
        elif char.isalnum():
            parts.append("[" + re.escape(_ACCENT_CLASSES.get(char, char)) + "]+[\\s.\\-_*]?")
        else:
            parts.append(re.escape(char) + "?")
    return re.compile("".join(parts), re.IGNORECASE)


def original_words(original: str, phrase: str) -> str:
    """The words as written in the comment, falling back to the folded phrase."""
    if phrase.startswith("_emo") or not phrase:
        return phrase
    lowered = original.lower()
    if len(lowered) == len(original):
        # Most phrases appear as written up to case: slice the original at the same place.
        start = lowered.find(phrase)
        if start >= 0:
            return original[start : start + len(phrase)]
    match = _evidence_pattern(phrase).search(original)
    if match:
        found = match.group(0).strip(" .-_*")
        if found:
            return found
    return phrase


def reason_for(signal: str, phrase: str, original: str) -> Reason:
    name = _REASON_NAMES.get(signal, signal)
    if signal in ("shouting", "exclamations"):
        return Reason(name, phrase)
    return Reason(name, original_words(original, phrase))


def reasons_from(
    signals: Signals, original: str, *, skip: frozenset[str] = frozenset()
) -> list[Reason]:
    """One reason per fired signal (its first phrase), in a stable order."""
    reasons = []
    for signal, phrases in signals.fired.items():
        if signal in FEATURE_ONLY or signal in skip:
            continue
        reasons.append(reason_for(signal, phrases[0], original))
    return reasons


def detect_signals(text: str, lang: str | None = None) -> tuple[Reason, ...]:
    """Every signal the lexicons find in `text`, with the words that fired it.

    For reuse outside classification (the tone check of a reply): hostility, insult, mockery,
    threats, praise... `lang` is accepted for symmetry with `classify`; both languages'
    lexicons always run because comments mix them.
    """
    normalised = normalise(text)
    return tuple(reasons_from(analyse(normalised), normalised.original))
