"""Which FAQ entries and verified facts a customer's words are about, read the classifier's way.

The rule, as a person can check it by hand:

- Both sides are folded and stemmed by the classifier (``normalise`` for accents, case,
  elongation and leetspeak; ``signature.stem`` for plurals and endings), so "devoluciones",
  "devolución" and "DEVOLUCION!!" are one word. Function words, the words every complaint
  carries ("servicio", "problema", "ayuda") and question words ("cuánto", "puedo") are left out.
- The classifier's complaint concepts count as words too: "me cobraron dos veces" and "cargo
  duplicado" both say ``~double_charge``.
- A word of the entry matches a word of the customer exactly, or as a misspelling: same first
  two letters, at most two letters longer or shorter, and 80 % alike ("devolusion").
- The score is how much of the entry's question (a fact: its statement) the customer's words
  cover, with its tags counting as extra words: four matched words are a full match, so a long
  question is not out of reach.

No Django here: the rule reads text and returns numbers.
"""

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from classifier.lexicons.ripple import GENERIC_WORDS
from classifier.normalise import normalise
from classifier.signature import CONCEPT_MARK, signature_of_tokens, stem
from classifier.stopwords import FUNCTION_WORDS

T = TypeVar("T")

#: Words that make a question a question and say nothing of its subject.
QUESTION_WORDS = frozenset(
    (
        "cuanto cuanta cuantos cuantas puedo puedes podemos pueden puede hago hacemos debo "
        "debemos quiero necesito saber alguien sabe cual cuales donde como cuando "
        "how much many can could should would what when where which why know anyone"
    ).split()
)
_LEFT_OUT = FUNCTION_WORDS | GENERIC_WORDS | QUESTION_WORDS
#: Matched words that make a full match, however long the question.
FULL_MATCH_WORDS = 4
#: A misspelt word counts for this much of a word.
MISSPELT_WEIGHT = 0.8
_MISSPELT_RATIO = 0.8
_MISSPELT_MIN_LENGTH = 5
#: Below this score a suggestion is not shown: one shared word of a long question is chance.
SUGGEST_AT = 0.34


@dataclass(frozen=True)
class Terms:
    """A text's stems (each with the first word it came from, to show people) and concepts."""

    words: dict[str, str]
    concepts: frozenset[str]

    def all(self) -> frozenset[str]:
        return frozenset(self.words) | self.concepts

    def __bool__(self) -> bool:
        return bool(self.words or self.concepts)


@dataclass(frozen=True)
class Match:
    score: float
    words: tuple[str, ...]  # the entry's own words that matched, as written there (folded)


@dataclass(frozen=True)
class Ranked(Generic[T]):
    item: T
    match: Match


#: A comment opening with one of these reads as a question even without a "?".
_QUESTION_OPENERS = frozenset(
    (
        "como cuando donde que cual cuales cuanto cuanta cuantos cuantas quien puedo pueden "
        "alguien hay how what when where which who why can could is are do does"
    ).split()
)


def is_question(text: str) -> bool:
    """A "?" anywhere, or a question word first ("como activo la tarjeta")."""
    if "?" in text:
        return True
    words = [token for token in normalise(text).tokens if token.isalpha()]
    return bool(words) and words[0] in _QUESTION_OPENERS


def terms_of(text: str) -> Terms:
    tokens = normalise(text).tokens
    words: dict[str, str] = {}
    for token in tokens:
        if len(token) >= 3 and token.isalpha() and token not in _LEFT_OUT:
            words.setdefault(stem(token), token)
    concepts = frozenset(
        term for term in signature_of_tokens(tokens) if term.startswith(CONCEPT_MARK)
    )
    return Terms(words=words, concepts=concepts)


def terms_of_entry(text: str, tags: Sequence[str] = ()) -> tuple[Terms, Terms]:
    """An entry's question (or statement) and its tags, read as ``match`` reads them."""
    return terms_of(text), terms_of(" ".join(tags))


def match(said: Terms, main: Terms, tags: Terms | None = None) -> Match:
    """How well what the customer said covers an entry: ``main`` its question or statement,
    ``tags`` the words a supervisor added as its other names."""
    said_terms = said.all()
    by_start = _by_start(said.words)
    parts = (main, tags) if tags else (main,)
    concepts = frozenset().union(*(part.concepts for part in parts)) & said_terms
    weight = float(len(concepts))
    matched: set[str] = set()
    shown: list[str] = []
    for part in parts:
        for term, word in part.words.items():
            if term in matched:
                continue
            if term in said_terms:
                weight += 1
            elif _misspelt_in(term, by_start):
                weight += MISSPELT_WEIGHT
            else:
                continue
            matched.add(term)
            shown.append(word)
    main_count = len(main.words) + len(main.concepts)
    if not weight or not main_count:
        return Match(0.0, ())
    score = min(1.0, weight / max(min(main_count, FULL_MATCH_WORDS), 2))
    return Match(round(score, 2), tuple(shown))


def rank(said: Terms, entries: Iterable[tuple[T, Terms, Terms]], *, limit: int) -> list[Ranked[T]]:
    """The entries worth suggesting, best first (more matched words break a tie)."""
    ranked = [Ranked(item, match(said, main, tags)) for item, main, tags in entries]
    kept = [r for r in ranked if r.match.score >= SUGGEST_AT]
    kept.sort(key=lambda r: (-r.match.score, -len(r.match.words)))
    return kept[:limit]


def best_score(said: Terms, entries: Iterable[tuple[Terms, Terms]]) -> float:
    return max((match(said, main, tags).score for main, tags in entries), default=0.0)


def _by_start(words: Iterable[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for word in words:
        if len(word) >= _MISSPELT_MIN_LENGTH - 1:
            grouped.setdefault(word[:2], []).append(word)
    return grouped


def _misspelt_in(term: str, by_start: dict[str, list[str]]) -> bool:
    if len(term) < _MISSPELT_MIN_LENGTH:
        return False
    for other in by_start.get(term[:2], ()):
        if (
            abs(len(other) - len(term)) <= 2
            and difflib.SequenceMatcher(None, term, other).ratio() >= _MISSPELT_RATIO
        ):
            return True
    return False
