"""A small phrase matcher over normalised tokens, compiled once from the lexicons.

Lexicon entries are written as readable phrases: tokens separated by spaces, where a token may
be `a|b` (alternatives), `denunci*` (a prefix, for Spanish verb endings), `_` (any word),
`<num>` (a number, in digits or words) and `[x|y]` (optional). Entries are indexed by their
first token (or first two, for entries that start with a function word). A batch of comments
is matched at once: every token becomes a vocabulary id, numpy finds the few positions where
an entry can start, and Python checks the candidate entries only there. A big alternation
regex would try hundreds of branches at every position and is several times slower.
"""

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from typing import NamedTuple

import numpy as np

from classifier.memo import WORDS

NUMBER_WORDS = frozenset(
    "un una uno dos tres cuatro cinco seis siete ocho nueve diez once doce quince veinte treinta "
    "cuarenta cincuenta cien cientos mil miles varios varias muchas muchos "
    "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty "
    "forty fifty hundred hundreds thousand thousands several many".split()
)
PUNCTUATION = frozenset(".,;:!?¿¡")
_MAX_CACHE = WORDS
_NO_NEXT = 0xFFFFFFFF  # the "next token id" of a document's last token
_new_hit = tuple.__new__


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
    #: the tokens after the first when none is optional (matched without backtracking)
    rest: tuple[TokenSpec, ...] | None = None

    @classmethod
    def of(cls, signal: str, phrase: str, specs: tuple[TokenSpec, ...], innocent: bool = False):
        fixed = not any(spec.optional for spec in specs)
        return cls(signal, phrase, specs, innocent, specs[1:] if fixed else None)


class TokenInfo(NamedTuple):
    entries: tuple[Entry, ...]
    is_number: bool
    pair_first: bool
    is_word: bool
    classes: tuple[str, ...]


class Hit(NamedTuple):
    signal: str
    start: int
    end: int  # exclusive
    innocent: bool
    phrase: str


#: How to check one entry at a position whose next token is known: (signal, innocent,
#: phrase, width, tail, specs). `width` > 0: the entry matches, spanning that many tokens.
#: Otherwise `specs` (an entry with optional tokens) is matched from its second token, or
#: `tail` (an entry without) from its third, the second having accepted the next token.
#: A plain tuple, not a NamedTuple: the match loop unpacks one per candidate, and only an
#: exact tuple is unpacked without an iterator.
Plan = tuple[str, bool, str, int, tuple[TokenSpec, ...], tuple[TokenSpec, ...] | None]


def _plan(entry: Entry, following: str | None) -> Plan | None:
    """The check left for `entry` once the next token (None at the end) is known, or None
    when the next token already rules it out."""
    rest = entry.rest
    if rest is None:
        return (entry.signal, entry.innocent, entry.phrase, 0, (), entry.specs)
    if not rest:
        return (entry.signal, entry.innocent, entry.phrase, 1, (), None)
    if following is None or not rest[0].accepts(following):
        return None
    if len(rest) == 1:
        return (entry.signal, entry.innocent, entry.phrase, 2, (), None)
    return (entry.signal, entry.innocent, entry.phrase, 0, rest[1:], None)


class BatchFindings(NamedTuple):
    hits: dict[int, list[Hit]]  # document index -> hits, for documents with any
    words: np.ndarray  # alphabetic tokens per document
    tallies: dict[str, np.ndarray]  # word class -> count per document


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
        self._pair_seconds: set[str] = set()
        self._by_number_then: dict[str, list[Entry]] = {}
        self._by_prefix: dict[str, list[Entry]] = {}
        self._by_number: list[Entry] = []
        self._prefix_lengths: set[int] = set()
        self._class_names = sorted({name for names in self._tallies.values() for name in names})
        if len(self._class_names) > 8:
            raise ValueError("at most 8 word classes fit the per-token bit set")
        for signals, is_innocent in ((positive, False), (innocent, True)):
            for signal, phrases in signals.items():
                for phrase in phrases:
                    self._add(signal, phrase, is_innocent)
        self._prefix_lengths_sorted = tuple(sorted(self._prefix_lengths))
        self._lock = threading.Lock()
        self._reset_vocabulary()

    def _add(self, signal: str, phrase: str, innocent: bool) -> None:
        specs = tuple(parse_token(raw) for raw in phrase.split())
        for variant in _expand_leading_optionals(specs):
            entry = Entry.of(signal, phrase, variant, innocent)
            first = variant[0]
            if first.any_word:
                raise ValueError(f"lexicon entry may not start with '_': {phrase!r}")
            second = variant[1] if len(variant) > 1 else None
            # the second token when it is a plain word, by which the entry is indexed as a pair
            pair_second = (
                second
                if second is not None
                and not second.optional
                and not second.any_word
                and not second.number
                and not second.prefixes
                else None
            )
            for word in first.exact:
                if pair_second is not None:
                    self._pair_firsts.add(word)
                    self._pair_seconds.update(pair_second.exact)
                    for next_word in pair_second.exact:
                        self._by_pair.setdefault((word, next_word), []).append(entry)
                else:
                    self._by_exact.setdefault(word, []).append(entry)
            for prefix in first.prefixes:
                self._by_prefix.setdefault(prefix, []).append(entry)
                self._prefix_lengths.add(len(prefix))
            if first.number and pair_second is not None:
                for next_word in pair_second.exact:
                    self._by_number_then.setdefault(next_word, []).append(entry)
            elif first.number:
                self._by_number.append(entry)

    def _candidates(self, token: str) -> tuple[Entry, ...]:
        if token[0] in "@#":
            signal = self._tag_signal(token)
            if signal is None:
                return ()
            return (Entry.of(signal, token, (TokenSpec(frozenset({token}), ()),)),)
        found = list(self._by_exact.get(token, ()))
        for length in self._prefix_lengths_sorted:
            if length > len(token):
                break
            found.extend(self._by_prefix.get(token[:length], ()))
        if token.isdigit() or token in NUMBER_WORDS:
            found.extend(self._by_number)
        return tuple(found)

    def _token_info(self, token: str) -> TokenInfo:
        """What the matcher needs to know about a token, computed once per distinct token."""
        is_number = token.isdigit() or token in NUMBER_WORDS
        return TokenInfo(
            self._candidates(token),
            is_number,
            token in self._pair_firsts,
            token[0].isalpha(),
            self._tallies.get(token, ()),
        )

    def _ids_of(self, tokens: list[str]) -> np.ndarray:
        """The vocabulary id of every token, adding the tokens never seen before."""
        vocabulary = self._vocabulary
        if len(vocabulary) > _MAX_CACHE:
            self._reset_vocabulary()
            vocabulary = self._vocabulary
        known = map(vocabulary.get, tokens, repeat(-1))
        ids = np.fromiter(known, dtype=np.int64, count=len(tokens))
        unseen = np.flatnonzero(ids < 0)
        if len(unseen):
            for position in unseen.tolist():
                token = tokens[position]
                token_id = vocabulary.get(token)
                if token_id is None:
                    token_id = vocabulary[token] = self._learn(token)
                ids[position] = token_id
        return ids

    def _reset_vocabulary(self) -> None:
        self._vocabulary: dict[str, int] = {}
        self._infos: list[TokenInfo] = []
        # (token id << 32 | next token id) -> how to check the entries that may start there
        self._plans_by_key: dict[int, tuple[Plan, ...]] = {}
        # Per-token flags as bytes, read by numpy without a copy.
        self._has_entries = bytearray()
        self._pair_first = bytearray()
        self._is_number = bytearray()
        self._after_number = bytearray()  # the second word of a "<num> word ..." entry
        self._pair_second = bytearray()  # the second word of some entry indexed by a pair
        self._is_word = bytearray()
        self._language_bits = bytearray()  # one bit per word class (language)
        # Every two-word start of an entry as one integer (first id << 32 | second id), so a
        # batch checks all its word pairs with one `isin`.
        pairs = [
            (self._id_of(first) << 32) | self._id_of(second) for first, second in self._by_pair
        ]
        self._pair_keys = np.unique(np.array(pairs, dtype=np.int64))

    def _id_of(self, token: str) -> int:
        token_id = self._vocabulary.get(token)
        if token_id is None:
            token_id = self._vocabulary[token] = self._learn(token)
        return token_id

    def _learn(self, token: str) -> int:
        info = self._token_info(token)
        self._infos.append(info)
        self._has_entries.append(bool(info.entries))
        self._pair_first.append(info.pair_first)
        self._is_number.append(info.is_number)
        self._after_number.append(token in self._by_number_then)
        self._pair_second.append(token in self._pair_seconds)
        self._is_word.append(info.is_word)
        bits = 0
        for name in info.classes:
            bits |= 1 << self._class_names.index(name)
        self._language_bits.append(bits)
        return len(self._infos) - 1

    def _flags(self, flags: bytearray, ids: np.ndarray) -> np.ndarray:
        return np.frombuffer(flags, dtype=np.uint8)[ids].view(np.bool_)

    def _starting_positions(
        self, ids: np.ndarray, following: np.ndarray, last: np.ndarray
    ) -> np.ndarray:
        """Positions where some entry may match: a lexicon word, a known word pair, or a
        number before a word that follows numbers in an entry. `following` is the next
        token's id; `last` marks each document's last token, which has no next word."""
        has_next = ~last
        candidates = self._flags(self._has_entries, ids)
        pairs = np.flatnonzero(self._flags(self._pair_first, ids) & has_next)
        # Only a known second word can complete a pair: the few left are looked up.
        pairs = pairs[self._flags(self._pair_second, following[pairs])]
        keys = (ids[pairs] << 32) | following[pairs]
        candidates[pairs[_sorted_contains(self._pair_keys, keys)]] = True
        numbers = np.flatnonzero(self._flags(self._is_number, ids) & has_next)
        after_number = self._flags(self._after_number, following[numbers])
        candidates[numbers[after_number]] = True
        return np.flatnonzero(candidates)

    def find_batch(self, documents: Sequence[Sequence[str]]) -> BatchFindings:
        """Hits per document, word counts and the tally of each word class (e.g. languages).

        Vectorised over the batch: each token becomes a vocabulary id in one pass in C, the
        counts are numpy bincounts, and Python walks only the few positions where an entry
        can start - most words of a comment start none.
        """
        # The vocabulary grows as tokens arrive, and a numpy view of a growing bytearray makes
        # it refuse to grow: one batch at a time per process (threaded servers).
        with self._lock:
            return self._find_batch(documents)

    def _find_batch(self, documents: Sequence[Sequence[str]]) -> BatchFindings:
        count = len(documents)
        lengths = np.fromiter(map(len, documents), dtype=np.int64, count=count)
        flat = list(chain.from_iterable(documents))
        ids = self._ids_of(flat)
        doc_of = np.repeat(np.arange(count), lengths)
        starts = np.zeros(count, dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        is_word = self._flags(self._is_word, ids)
        words = np.bincount(doc_of, weights=is_word, minlength=count).astype(np.int64)
        bits = np.frombuffer(self._language_bits, dtype=np.uint8)[ids]
        tallies = {
            name: np.bincount(doc_of, weights=(bits >> bit) & 1, minlength=count).astype(np.int64)
            for bit, name in enumerate(self._class_names)
        }
        last = np.zeros(len(flat), dtype=np.bool_)
        last[(starts + lengths - 1)[lengths > 0]] = True
        following = np.empty_like(ids)
        following[:-1] = ids[1:]
        following[last] = _NO_NEXT
        positions = self._starting_positions(ids, following, last)
        if len(self._plans_by_key) > _MAX_CACHE:
            self._plans_by_key.clear()
        position_docs = doc_of[positions]
        hits: dict[int, list[Hit]] = {}
        # Positions come in document order: the current document's hit list is kept at hand.
        current_doc, current = -1, []
        for doc, index, key in zip(
            position_docs.tolist(),
            (positions - starts[position_docs]).tolist(),
            ((ids[positions] << 32) | following[positions]).tolist(),
            strict=True,
        ):
            plans = self._plans_by_key.get(key)
            if plans is None:
                plans = self._plans_starting(documents[doc], index, key)
            for signal, innocent, phrase, width, tail, specs in plans:
                if width:
                    end = index + width
                elif specs is None:
                    end = _match_fixed(tail, documents[doc], index + 2)
                else:
                    end = _match_rest(specs, 1, documents[doc], index + 1)
                if end >= 0:
                    # tuple.__new__ skips the NamedTuple's Python-level constructor
                    hit = _new_hit(Hit, (signal, index, end, innocent, phrase))
                    if doc == current_doc:
                        current.append(hit)
                    else:
                        current_doc, current = doc, [hit]
                        hits[doc] = current
        return BatchFindings(hits, words, tallies)

    def _plans_starting(self, tokens: Sequence[str], index: int, key: int) -> tuple[Plan, ...]:
        """How to check each entry that may match at tokens[index]: those indexed by the token,
        and by it and the next one (a word pair, a number's). Memoised by the two tokens' ids.

        The key names the next token too, so whatever depends on it alone is settled here,
        once per distinct pair: an entry whose second token rejects it is dropped, and a
        two-token entry that accepts it needs no check at all at match time.
        """
        info = self._infos[key >> 32]
        entries = info.entries
        following = tokens[index + 1] if index < len(tokens) - 1 else None
        if (info.pair_first or info.is_number) and following is not None:
            paired = self._by_pair.get((tokens[index], following)) if info.pair_first else None
            if info.is_number and following in self._by_number_then:
                paired = (paired or []) + self._by_number_then[following]
            if paired:
                entries = entries + tuple(paired)
        plans = tuple(
            plan for plan in (_plan(entry, following) for entry in entries) if plan is not None
        )
        self._plans_by_key[key] = plans
        return plans

    def find(self, tokens: Sequence[str]) -> tuple[list[Hit], dict[str, int], int]:
        """One document's hits, its tally of each word class and its word count."""
        findings = self.find_batch([tokens])
        tallies = {name: int(counts[0]) for name, counts in findings.tallies.items() if counts[0]}
        return findings.hits.get(0, []), tallies, int(findings.words[0])


def _sorted_contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """`np.isin(keys, sorted_keys)` for unique sorted keys: a binary search per key instead
    of sorting the batch's keys together with them."""
    if not len(sorted_keys):
        return np.zeros(len(keys), dtype=np.bool_)
    found = np.searchsorted(sorted_keys, keys)
    found[found == len(sorted_keys)] = 0
    return sorted_keys[found] == keys


def _match_fixed(rest: tuple[TokenSpec, ...], tokens: Sequence[str], position: int) -> int:
    """End position of a match of `rest` (no optional token) at tokens[position:], or -1."""
    if position + len(rest) > len(tokens):
        return -1
    for spec in rest:
        token = tokens[position]
        if token not in spec.exact and not spec.accepts(token):
            return -1
        position += 1
    return position


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
