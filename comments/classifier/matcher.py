"""A small phrase matcher over normalised tokens, compiled once from the lexicons.

Lexicon entries are written as readable phrases: tokens separated by spaces, where a token may
be `a|b` (alternatives), `denunci*` (a prefix, for Spanish verb endings), `_` (any word),
`<num>` (a number, in digits or words) and `[x|y]` (optional). Matching walks the comment's
tokens once and looks each one up in a dict of first tokens; the result of that lookup is
memoised per distinct token, so a comment costs one dict lookup per word plus the rare
candidate checks. A big alternation regex would try hundreds of branches at every position
and is several times slower.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

NUMBER_WORDS = frozenset(
    "un una uno dos tres cuatro cinco seis siete ocho nueve diez once doce quince veinte treinta "
    "cuarenta cincuenta cien cientos mil miles varios varias muchas muchos "
    "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty "
    "forty fifty hundred hundreds thousand thousands several many".split()
)
PUNCTUATION = frozenset(".,;:!?¿¡")
_MAX_CACHE = 200_000


@dataclass(frozen=True, slots=True)
class TokenSpec:
    exact: frozenset[str]
    prefixes: tuple[str, ...]
    any_word: bool = False
    number: bool = False
    optional: bool = False

    def accepts(self, token: str) -> bool:
        if token in self.exact:
            return True
        if token in PUNCTUATION:
            return False
        if self.any_word:
            return True
        if self.number and (token.isdigit() or token in NUMBER_WORDS):
            return True
        return bool(self.prefixes) and token.startswith(self.prefixes)


@dataclass(frozen=True, slots=True)
class Entry:
    signal: str
    phrase: str
    specs: tuple[TokenSpec, ...]
    innocent: bool = False


class Hit(NamedTuple):
    signal: str
    start: int
    end: int  # exclusive
    innocent: bool
    phrase: str


def parse_token(raw: str) -> TokenSpec:
    optional = raw.startswith("[") and raw.endswith("]")
    body = raw[1:-1] if optional else raw
    exact: set[str] = set()
    prefixes: list[str] = []
    any_word = number = False
    for alternative in body.split("|"):
        if alternative == "_":
            any_word = True
        elif alternative == "<num>":
            number = True
        elif alternative.endswith("*"):
            prefixes.append(alternative[:-1])
        else:
            exact.add(alternative)
    return TokenSpec(frozenset(exact), tuple(prefixes), any_word, number, optional)


def _expand_leading_optionals(specs: tuple[TokenSpec, ...]) -> list[tuple[TokenSpec, ...]]:
    """An entry must start with a required token so it can be indexed by it."""
    if not specs:
        return []
    first = specs[0]
    if not first.optional:
        return [specs]
    required = TokenSpec(first.exact, first.prefixes, first.any_word, first.number, False)
    return [(required, *specs[1:]), *_expand_leading_optionals(specs[1:])]


class Matcher:
    """All lexicon entries of all signals, indexed by their first token."""

    def __init__(
        self,
        positive: Mapping[str, Iterable[str]],
        innocent: Mapping[str, Iterable[str]],
        tag_signal: Callable[[str], str | None] = lambda tag: None,
        tallies: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        """`tag_signal` names the signal an @handle or #hashtag carries, if any."""
        self._tag_signal = tag_signal
        self._tallies = tallies or {}
        self._by_exact: dict[str, list[Entry]] = {}
        # Entries starting with a function word ("la policia", "me cambio a...") are indexed
        # by their first two words, or every "la" in a comment would try dozens of entries.
        self._by_pair: dict[tuple[str, str], list[Entry]] = {}
        self._pair_firsts: set[str] = set()
        self._by_number_then: dict[str, list[Entry]] = {}
        self._by_prefix: dict[str, list[Entry]] = {}
        self._by_number: list[Entry] = []
        self._prefix_lengths: set[int] = set()
        self._cache: dict[str, tuple[Entry, ...]] = {}
        for signals, is_innocent in ((positive, False), (innocent, True)):
            for signal, phrases in signals.items():
                for phrase in phrases:
                    self._add(signal, phrase, is_innocent)
        self._prefix_lengths_sorted = tuple(sorted(self._prefix_lengths))

    def _add(self, signal: str, phrase: str, innocent: bool) -> None:
        specs = tuple(parse_token(raw) for raw in phrase.split())
        for variant in _expand_leading_optionals(specs):
            entry = Entry(signal, phrase, variant, innocent)
            first = variant[0]
            if first.any_word:
                raise ValueError(f"lexicon entry may not start with '_': {phrase!r}")
            second = variant[1] if len(variant) > 1 else None
            pairable = (
                second is not None
                and not second.optional
                and not second.any_word
                and not second.number
                and not second.prefixes
            )
            for word in first.exact:
                if pairable:
                    self._pair_firsts.add(word)
                    for next_word in second.exact:
                        self._by_pair.setdefault((word, next_word), []).append(entry)
                else:
                    self._by_exact.setdefault(word, []).append(entry)
            for prefix in first.prefixes:
                self._by_prefix.setdefault(prefix, []).append(entry)
                self._prefix_lengths.add(len(prefix))
            if first.number and pairable:
                for next_word in second.exact:
                    self._by_number_then.setdefault(next_word, []).append(entry)
            elif first.number:
                self._by_number.append(entry)

    def _candidates(self, token: str) -> tuple[Entry, ...]:
        if token[0] in "@#":
            signal = self._tag_signal(token)
            if signal is None:
                return ()
            return (Entry(signal, token, (TokenSpec(frozenset({token}), ()),)),)
        found = list(self._by_exact.get(token, ()))
        for length in self._prefix_lengths_sorted:
            if length > len(token):
                break
            found.extend(self._by_prefix.get(token[:length], ()))
        if token.isdigit() or token in NUMBER_WORDS:
            found.extend(self._by_number)
        return tuple(found)

    def _token_info(self, token: str) -> tuple:
        """What the matcher needs to know about a token, computed once per distinct token."""
        is_number = token.isdigit() or token in NUMBER_WORDS
        return (
            self._candidates(token),
            self._tallies.get(token, ()),
            is_number,
            token in self._pair_firsts,
            token[0].isalpha(),
        )

    def find(self, tokens: Sequence[str]) -> tuple[list[Hit], dict[str, int], int]:
        """Hits, the tally of each word class seen (e.g. languages) and the word count."""
        cache = self._cache
        if len(cache) > _MAX_CACHE:
            cache.clear()
        pairs = self._by_pair
        number_then = self._by_number_then
        hits: list[Hit] = []
        tallies: dict[str, int] = {}
        words = 0
        last = len(tokens) - 1
        for index, token in enumerate(tokens):
            info = cache.get(token)
            if info is None:
                info = cache[token] = self._token_info(token)
            entries, classes, is_number, pair_first, is_word = info
            if is_word:
                words += 1
                for name in classes:
                    tallies[name] = tallies.get(name, 0) + 1
            if index < last and (pair_first or is_number):
                following = tokens[index + 1]
                paired = pairs.get((token, following)) if pair_first else None
                if is_number and following in number_then:
                    paired = (paired or []) + number_then[following]
                if paired:
                    entries = entries + tuple(paired) if entries else paired
            if not entries:
                continue
            for entry in entries:
                end = _match_rest(entry.specs, 1, tokens, index + 1)
                if end >= 0:
                    hits.append(Hit(entry.signal, index, end, entry.innocent, entry.phrase))
        return hits, tallies, words


def _match_rest(
    specs: Sequence[TokenSpec], spec_index: int, tokens: Sequence[str], position: int
) -> int:
    """End position of a match of specs[spec_index:] at tokens[position:], or -1."""
    if spec_index == len(specs):
        return position
    spec = specs[spec_index]
    if position < len(tokens) and spec.accepts(tokens[position]):
        end = _match_rest(specs, spec_index + 1, tokens, position + 1)
        if end >= 0:
            return end
    if spec.optional:
        return _match_rest(specs, spec_index + 1, tokens, position)
    return -1
