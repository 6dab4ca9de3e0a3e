"""Ripple signatures: what a complaint is about, the same for its paraphrases.

Signature: what the complaint is about
    `ripple_signature` folds the text with the classifier's own normalisation
    (`normalise.fold_word`, memoised per word), stems each word with a light Spanish/English
    suffix stripper, and looks the stems up in a concept lexicon (`lexicons/ripple.py`):
    "me cobraron dos veces", "doble cobro", "cargo duplicado" and "charged twice" all fire
    `~double_charge`. Words a concept consumed, function words, generic complaint words
    ("pesimo", "servicio", "llevo"), @mentions (and words that are part of one, i.e. the
    brand), numbers, emoji and URLs are dropped; the remaining content stems and #hashtags
    stay. The result is a short sorted tuple of strings: JSON-ready, cheap (a few dict
    look-ups per word), and the same for paraphrases whenever the lexicon knows the subject.
"""

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from classifier.language import LANGUAGES_OF
from classifier.lexicons.ripple import CONCEPTS, GENERIC_WORDS
from classifier.memo import TEXTS, WORDS, BoundedCache
from classifier.normalise import coerce_text, fold_word

#: Terms of a signature that name a concept start with this mark; stems never do.
CONCEPT_MARK = "~"
HASHTAG_MARK = "#"
#: Content stems kept per signature (the first ones written); concepts are always kept.
MAX_STEMS = 8
#: A two-word cue matches when its second word follows the first within this many words.
CUE_REACH = 3

# --------------------------------------------------------------------------------------------
# Stemming


_ENDINGS = (
    "amientos", "imientos", "amiento", "imiento", "aciones", "iciones", "acion", "icion",
    "mente", "ieron", "aron", "iendo", "ando", "ados", "adas", "idos", "idas", "ing", "ado",
    "ada", "ido", "ida", "ed", "ar", "er", "ir", "an", "en", "as", "os", "a", "e", "o",
)  # fmt: skip
_MIN_STEM = 3
_STEM_CHARS = 8


def stem(word: str) -> str:
    """A light Spanish/English stem: plural, then one verb or noun ending, then a cap.

    Crude on purpose: stems only have to agree between the lexicon's cues and the words people
    write ("cobraron", "cobro", "cobrado" -> "cobr"; "charged", "charges" -> "charg"), and a
    full Snowball stemmer per word would cost more than the rest of the signature.
    """
    if len(word) > 4 and word.endswith("s"):
        word = word[:-1]
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            return word[: -len(ending)][:_STEM_CHARS]
    return word[:_STEM_CHARS]


# --------------------------------------------------------------------------------------------
# The compiled concept lexicon

_Cue = tuple[str, int]  # (concept, facet index)


def _compile_cues() -> tuple[dict[str, list[_Cue]], dict[tuple[str, str], list[_Cue]]]:
    """Stem every cue once: single words -> cues, (first, last) stem pairs -> cues.

    Cues of three or more words keep their first and last word ("no me dejaron abordar" ->
    "no ... abordar"); the second must follow within `CUE_REACH` words.
    """
    singles: dict[str, list[_Cue]] = {}
    pairs: dict[tuple[str, str], list[_Cue]] = {}
    for concept, facets in CONCEPTS.items():
        for facet_index, cues in enumerate(facets):
            for cue in cues.split("|"):
                words = [stem(word) for word in cue.split()]
                target = (concept, facet_index)
                if len(words) == 1:
                    singles.setdefault(words[0], []).append(target)
                else:
                    pairs.setdefault((words[0], words[-1]), []).append(target)
    return singles, pairs


_SINGLE_CUES, _PAIR_CUES = _compile_cues()
_PAIR_SECONDS: dict[str, dict[str, list[_Cue]]] = {}
for (_first, _second), _cues in _PAIR_CUES.items():
    _PAIR_SECONDS.setdefault(_first, {})[_second] = _cues
_FACET_COUNTS = {concept: len(facets) for concept, facets in CONCEPTS.items()}
_GENERIC = frozenset(GENERIC_WORDS | set(LANGUAGES_OF))
_GENERIC_STEMS = frozenset(stem(word) for word in GENERIC_WORDS)

# --------------------------------------------------------------------------------------------
# Signature


_WORD, _HANDLE, _HASHTAG, _OTHER = range(4)
_NO_CUES: tuple[_Cue, ...] = ()


class _TokenInfo(NamedTuple):
    """Everything the signature needs to know about one folded token."""

    kind: int
    stem: str
    content: str | None  # the stem when the word is specific, None when generic/short/numeric
    text: str  # the folded token (the handle without "@" for mentions)
    cues: tuple[_Cue, ...]  # the one-word cues this stem fires
    seconds: dict[str, list[_Cue]] | None  # two-word cues starting here: second stem -> cues


_TOKEN_INFO: BoundedCache = BoundedCache(WORDS)
_PIECE_INFO: BoundedCache = BoundedCache(WORDS)
_CACHEABLE_PIECE = 40


def _token_info(token: str) -> _TokenInfo:
    """Classify, stem and look up the cues of one token, memoised.

    Vocabulary repeats, so doing this once per distinct token keeps the per-comment cost at
    one dictionary look-up per whitespace-separated piece.
    """
    info = _TOKEN_INFO.get(token)
    if info is not None:
        return info
    if token.isalnum():  # words and numbers ("2 veces", "4g"); not "_emoangry_" or "_url_"
        stemmed = stem(token)
        specific = (
            len(token) >= 3
            and token.isalpha()
            and token not in _GENERIC
            and stemmed not in _GENERIC_STEMS
        )
        cues = tuple(_SINGLE_CUES.get(stemmed, _NO_CUES))
        content = stemmed if specific else None
        info = _TokenInfo(_WORD, stemmed, content, token, cues, _PAIR_SECONDS.get(stemmed))
    elif token[0] == "@" and len(token) > 1:
        info = _TokenInfo(_HANDLE, "", None, token[1:], _NO_CUES, None)
    elif token[0] == "#" and token[1:].isalnum() and len(token) > 3:
        info = _TokenInfo(_HASHTAG, "", None, token, _NO_CUES, None)
    else:
        info = _TokenInfo(_OTHER, "", None, token, _NO_CUES, None)
    return _TOKEN_INFO.keep(token, info)


def _piece_info(raw: str) -> tuple[_TokenInfo, ...]:
    """The token infos of one whitespace-separated piece of a comment, memoised."""
    infos = _PIECE_INFO.get(raw)
    if infos is None:
        infos = tuple(_token_info(token) for token in fold_word(raw))
        if len(raw) <= _CACHEABLE_PIECE:
            _PIECE_INFO.keep(raw, infos)
    return infos


def ripple_signature(text: object) -> tuple[str, ...]:
    """The comment's ripple signature: sorted concepts (`~name`), content stems and #hashtags.

    Folding is the classifier's (`normalise.fold_word`, piece by piece). Both languages are
    always read (mixed comments are common), so no language is asked for. Text without
    words (empty, emoji only, a URL only) gives `()`, which never joins a ripple.
    """
    infos: list[_TokenInfo] = []
    known = _PIECE_INFO.get
    for raw in coerce_text(text).split():
        infos.extend(known(raw) or _piece_info(raw))
    return _signature_of_infos(infos)


def signature_of_tokens(tokens: Sequence[str]) -> tuple[str, ...]:
    """The signature from tokens already folded by `normalise` (intake has them at hand)."""
    return _signature_of_infos([_TOKEN_INFO.get(token) or _token_info(token) for token in tokens])


def _signature_of_infos(infos: Sequence[_TokenInfo]) -> tuple[str, ...]:
    """One pass over the words: cue hits, content candidates, handles and hashtags."""
    stems: list[str] = []
    hits: list[tuple[str, int, int, int]] = []  # (concept, facet, first word, last word)
    pair_starts: list[tuple[int, dict[str, list[_Cue]]]] = []
    candidates: list[tuple[int, str, str]] = []  # (position, content stem, word)
    handles: list[str] = []
    terms: set[str] = set()
    for kind, stemmed, content, text, cues, seconds in infos:
        if kind == _WORD:
            position = len(stems)
            stems.append(stemmed)
            if content is not None:
                candidates.append((position, content, text))
            for concept, facet in cues:
                hits.append((concept, facet, position, position))
            if seconds is not None:
                pair_starts.append((position, seconds))
        elif kind == _HANDLE:
            handles.append(text)
        elif kind == _HASHTAG:
            terms.add(text)
    hits.extend(_pair_hits(stems, pair_starts))
    concepts, consumed = _concepts_of(hits)
    terms.update(CONCEPT_MARK + concept for concept in concepts)
    if handles:
        terms.difference_update("#" + handle for handle in handles)
    terms.update(_content_stems(candidates, consumed, handles))
    return tuple(sorted(terms))


def _pair_hits(
    stems: Sequence[str], pair_starts: Iterable[tuple[int, dict[str, list[_Cue]]]]
) -> list[tuple[str, int, int, int]]:
    """Two-word cues whose second word follows the first within `CUE_REACH` words."""
    hits = []
    count = len(stems)
    for position, seconds in pair_starts:
        for other in range(position + 1, min(count, position + 1 + CUE_REACH)):
            for concept, facet in seconds.get(stems[other], _NO_CUES):
                hits.append((concept, facet, position, other))
    return hits


def _concepts_of(hits: Sequence[tuple[str, int, int, int]]) -> tuple[list[str], set[int]]:
    """Concepts whose every facet fired, and the word positions their cues used."""
    if not hits:
        return [], set()
    facets_fired: dict[str, set[int]] = {}
    for concept, facet, _, _ in hits:
        facets_fired.setdefault(concept, set()).add(facet)
    concepts = [
        concept for concept, facets in facets_fired.items() if len(facets) == _FACET_COUNTS[concept]
    ]
    consumed = {
        position
        for concept, _, first, last in hits
        if concept in concepts
        for position in (first, last)
    }
    return concepts, consumed


def _content_stems(
    candidates: Iterable[tuple[int, str, str]], consumed: set[int], handles: Sequence[str]
) -> list[str]:
    """Stems that say something specific: not generic, not a concept's cue, not the brand."""
    kept: list[str] = []
    for position, content, word in candidates:
        if position in consumed or content in kept:
            continue
        if handles and len(word) >= 4 and any(word in handle for handle in handles):
            continue  # "banco aurora" next to "@BancoAurora" is the brand, not the subject
        kept.append(content)
        if len(kept) == MAX_STEMS:
            break
    return kept


_TOPICS: BoundedCache = BoundedCache(TEXTS)


def topic_of(signature: Sequence[str]) -> frozenset[str]:
    """What similarity compares: the concepts when there are any, else stems and hashtags.

    Memoised: the window's signatures repeat (most name one concept), and this runs once per
    stored comment on every batch.
    """
    terms = signature if type(signature) is tuple else tuple(signature)  # lists from JSON
    topic = _TOPICS.get(terms)
    if topic is None:
        concepts = frozenset(term for term in terms if term.startswith(CONCEPT_MARK))
        topic = _TOPICS.keep(terms, concepts or frozenset(terms))
    return topic
