"""Ripple detection: many authors posting the same complaint, in other words, within an hour.

The taxonomy makes every comment of a ripple red: at least `min_authors` (10) similar negative
comments from distinct authors within `window` (60 minutes). This module is the pure core;
the desk stores each comment's signature at intake and calls `find_ripples` per batch.

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

Similarity: seeded containment over topics, candidates from an inverted index
    A comment's *topic* is its concepts when it has any, else its content stems and hashtags.
    A comment joins a cluster only through its similarity to the cluster's seed topic (never
    through another member, so one comment that mentions two complaints cannot chain them):
    it must contain at least `SEED_COVERAGE` (60%) of the seed's terms and the shared terms
    must be at least `MEMBER_COVERAGE` (50%) of its own topic. Concept topics need one shared
    concept; stem topics need at least `MIN_SHARED_STEMS` (2) shared stems, because a single
    shared word is how unrelated complaints look alike. Seeds are the batch's topics (and
    each single concept of a multi-concept topic); the seed whose best `window`-long span
    holds the most distinct authors is taken first and its members are claimed, so the
    result is deterministic and no comment is in two ripples.

    Why not MinHash/LSH over shingles: it estimates Jaccard over character or word shingles,
    so it finds near-duplicates (copy-pasted campaigns) but not paraphrases, which share no
    shingle. TF-IDF cosine over words has the same blindness and adds a corpus-wide model.
    A concept lexicon carries the paraphrases the desk sees most; outside it, stem topics
    still catch copy-paste and light rewording. Topics are tiny sets (usually one concept),
    so an inverted index over distinct topics (term -> topics) gives the candidates in time
    that grows with the batch and the part of the window that shares a term with it; the
    whole window is scanned once, at a dictionary look-up and a set test per stored comment
    (the desk can narrow `recent` in SQL to rows whose stored terms overlap the batch's).

Scope
    Ten double charges at ten different banks are no ripple: each comment carries the scope
    (brand or account) it is addressed to, and clusters never mix scopes.
"""

import heapq
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from typing import NamedTuple

from classifier.language import LANGUAGES_OF
from classifier.lexicons.ripple import CONCEPTS, GENERIC_WORDS
from classifier.memo import BoundedCache
from classifier.normalise import coerce_text, fold_word

#: Terms of a signature that name a concept start with this mark; stems never do.
CONCEPT_MARK = "~"
HASHTAG_MARK = "#"
#: A member must contain this share of the seed's terms ...
SEED_COVERAGE = 0.6
#: ... and the shared terms must be this share of the member's own topic.
MEMBER_COVERAGE = 0.5
#: Stem topics (no concept known) must share this many stems: one shared word is noise.
MIN_SHARED_STEMS = 2
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


_TOKEN_INFO: BoundedCache = BoundedCache(200_000)
_PIECE_INFO: BoundedCache = BoundedCache(200_000)
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


_TOPICS: BoundedCache = BoundedCache(200_000)


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


# --------------------------------------------------------------------------------------------
# Clustering


@dataclass(frozen=True, slots=True)
class RippleComment:
    """A negative comment as ripple detection sees it.

    `key` is whatever identifies the comment to the caller (its id); `author` its author's
    stable key; `at` when it was posted (or received, the desk chooses, but one clock for
    all); `signature` the stored `ripple_signature`; `cluster` the persistent ripple id the
    desk already gave it, if any, so a growing ripple is recognised as the same one; `scope`
    the brand or account the complaint is addressed to, when the desk serves several: ten
    double charges at ten different banks are no ripple, so clusters never mix scopes.
    """

    key: Hashable
    author: str
    at: datetime
    signature: tuple[str, ...]
    cluster: str | None = None
    scope: str = ""


@dataclass(frozen=True, slots=True)
class Ripple:
    """A cluster that reached the threshold: every member turns red."""

    number: int  # 1, 2, ... in this call, in the order the clusters were found
    subject: tuple[str, ...]  # concepts or stems most members share, most shared first
    members: tuple[Hashable, ...]  # keys, oldest first
    new_members: tuple[Hashable, ...]  # the members that came in this batch
    authors: tuple[str, ...]  # distinct, in order of their first comment
    first_at: datetime
    last_at: datetime
    known_cluster: str | None  # the persistent id most members already carry, if any
    scope: str = ""

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def span(self) -> timedelta:
        return self.last_at - self.first_at

    def reason(self, cluster_id: object = None) -> str:
        """The red reason's evidence, e.g. `cluster #41, 14 authors in 38 min, 16 comments...`.

        `cluster_id` is the desk's persistent id; without one the known cluster or this
        call's number is named.
        """
        label = cluster_id if cluster_id is not None else self.known_cluster or self.number
        minutes = max(1, ceil(self.span.total_seconds() / 60))
        subject = ", ".join(term.lstrip(CONCEPT_MARK).replace("_", " ") for term in self.subject)
        named = ", ".join(self.authors[:3])
        more = f" and {len(self.authors) - 3} more" if len(self.authors) > 3 else ""
        return (
            f"cluster #{label}, {len(self.authors)} authors in {minutes} min, "
            f"{self.size} comments about {subject} (by {named}{more})"
        )


#: A scope and a topic: the unit candidates are generated and compared in.
_Group = tuple[str, frozenset[str]]


@dataclass(slots=True)
class _Entry:
    comment: RippleComment
    order: int  # input order, the last tie-break, so results never depend on hashing
    is_new: bool


def find_ripples(
    new: Iterable[RippleComment],
    recent: Iterable[RippleComment],
    *,
    min_authors: int = 10,
    window: timedelta = timedelta(minutes=60),
) -> list[Ripple]:
    """The ripples the batch `new` starts or joins, given the `recent` negative comments.

    `recent` are the stored negative comments inside the window (the desk may narrow them
    further to those sharing a signature term with the batch; the result is the same). A key
    in both counts as new. A ripple must include at least one new comment: ripples of stored
    comments only were reported when their last member arrived.
    """
    batch = [comment for comment in new if comment.signature]
    seeds = _seeds(batch)
    by_topic = _candidate_groups(batch, recent, _seed_terms_by_scope(seeds))
    index = _index(by_topic, _terms_of(seeds))

    def best_span(seed: _Group) -> list[_Entry]:
        return _best_span(seed, index, by_topic, claimed, min_authors, window)

    claimed: set[int] = set()
    ripples: list[Ripple] = []
    # Lazy greedy: claiming members only ever lowers another seed's rank, so a seed popped
    # with a rank that still holds after re-evaluation is the best one left.
    queue = [(_rank(seed, span), seed) for seed in seeds if (span := best_span(seed))]
    heapq.heapify(queue)
    while queue:
        rank, seed = heapq.heappop(queue)
        span = best_span(seed)
        if not span:
            continue
        current = _rank(seed, span)
        if current != rank:
            heapq.heappush(queue, (current, seed))
            continue
        claimed.update(entry.order for entry in span)
        ripples.append(_ripple(len(ripples) + 1, seed, span))
    return ripples


def _seeds(batch: Iterable[RippleComment]) -> list[_Group]:
    """The batch's topics, plus each concept of a topic naming several, sorted for determinism.

    The single concepts let a comment that mentions two complaints still seed either one.
    """
    seeds: set[_Group] = set()
    for comment in batch:
        seeds.update((comment.scope, seed) for seed in seed_topics(topic_of(comment.signature)))
    return sorted(seeds, key=lambda seed: (seed[0], sorted(seed[1])))


def seed_topics(topic: frozenset[str]) -> set[frozenset[str]]:
    """The complaints a comment about `topic` may share with others: the topic itself and,
    when it names several concepts, each concept alone."""
    seeds = {topic}
    if len(topic) > 1 and next(iter(topic)).startswith(CONCEPT_MARK):
        seeds.update(frozenset((term,)) for term in topic)
    return seeds


def _seed_terms_by_scope(seeds: Iterable[_Group]) -> dict[str, set[str]]:
    terms: dict[str, set[str]] = {}
    for scope, topic in seeds:
        terms.setdefault(scope, set()).update(topic)
    return terms


def _candidate_groups(
    batch: Sequence[RippleComment],
    recent: Iterable[RippleComment],
    seed_terms: dict[str, set[str]],
) -> dict[_Group, list[_Entry]]:
    """Comments that share a term with some seed of their scope, bucketed by (scope, topic).

    This is the only pass over the whole window, so it does the least per stored comment:
    a scope look-up, a memoised topic and one set-disjointness test. A key in both the batch
    and `recent` counts once, as new; comments without a signature are left out.
    """
    batch_keys = {comment.key for comment in batch}
    groups: dict[_Group, list[_Entry]] = {}
    order = 0
    for is_new, comments in ((False, recent), (True, batch)):
        for comment in comments:
            terms = seed_terms.get(comment.scope)
            if terms is None or not comment.signature:
                continue
            if not is_new and comment.key in batch_keys:
                continue
            topic = topic_of(comment.signature)
            if terms.isdisjoint(topic):
                continue
            groups.setdefault((comment.scope, topic), []).append(_Entry(comment, order, is_new))
            order += 1
    return groups


def _terms_of(seeds: Iterable[_Group]) -> set[tuple[str, str]]:
    return {(scope, term) for scope, topic in seeds for term in topic}


def _index(
    by_topic: dict[_Group, list[_Entry]], wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], list[_Group]]:
    """Inverted index (scope, term) -> distinct topics, only for the terms some seed has."""
    index: dict[tuple[str, str], list[_Group]] = {}
    for group in by_topic:
        scope, topic = group
        for term in topic:
            if (scope, term) in wanted:
                index.setdefault((scope, term), []).append(group)
    return index


def belongs(topic: frozenset[str], seed: frozenset[str]) -> bool:
    """Is a comment with this topic the seed's complaint? (See the module docstring.)"""
    shared = len(topic & seed)
    if shared < SEED_COVERAGE * len(seed) or shared < MEMBER_COVERAGE * len(topic):
        return False
    return shared >= MIN_SHARED_STEMS or next(iter(seed)).startswith(CONCEPT_MARK)


def _best_span(
    seed: _Group,
    index: dict[tuple[str, str], list[_Group]],
    by_topic: dict[_Group, list[_Entry]],
    claimed: set[int],
    min_authors: int,
    window: timedelta,
) -> list[_Entry]:
    """The seed's unclaimed members inside the `window`-long span with the most authors.

    The span must hold a new comment; an empty list when no span reaches `min_authors`.
    """
    scope, seed_topic = seed
    groups = {group for term in seed_topic for group in index.get((scope, term), ())}
    members = [
        entry
        for group in groups
        if belongs(group[1], seed_topic)
        for entry in by_topic[group]
        if entry.order not in claimed
    ]
    if len({entry.comment.author for entry in members}) < min_authors:
        return []
    members.sort(key=lambda entry: (entry.comment.at, entry.order))
    best: tuple[int, int, int] | None = None  # (authors, size, -start): most, most, earliest
    best_end = 0
    authors: Counter[str] = Counter()
    new_inside = start = 0
    for end, entry in enumerate(members):
        authors[entry.comment.author] += 1
        new_inside += entry.is_new
        while entry.comment.at - members[start].comment.at > window:
            leaving = members[start]
            authors[leaving.comment.author] -= 1
            if not authors[leaving.comment.author]:
                del authors[leaving.comment.author]
            new_inside -= leaving.is_new
            start += 1
        if new_inside and len(authors) >= min_authors:
            candidate = (len(authors), end - start + 1, -start)
            if best is None or candidate > best:
                best, best_end = candidate, end
    if best is None:
        return []
    return members[-best[2] : best_end + 1]


def _rank(seed: _Group, span: list[_Entry]) -> tuple:
    """Most authors, most comments, then the smallest seed (the core, not one member's
    extra words), then the earliest, then the seed's terms so ties never depend on order."""
    authors = len({entry.comment.author for entry in span})
    scope, topic = seed
    return (-authors, -len(span), len(topic), span[0].comment.at, scope, sorted(topic))


def _core_terms(seed: frozenset[str], span: list[_Entry]) -> tuple[str, ...]:
    """The terms at least half of the members share, most shared first: the cluster's subject."""
    counts = Counter(term for entry in span for term in topic_of(entry.comment.signature))
    core = [term for term, count in counts.items() if term in seed and 2 * count >= len(span)]
    return tuple(sorted(core, key=lambda term: (-counts[term], term))) or tuple(sorted(seed))


def _ripple(number: int, seed: _Group, span: list[_Entry]) -> Ripple:
    comments = [entry.comment for entry in span]
    clusters = Counter(comment.cluster for comment in comments if comment.cluster is not None)
    known = min(clusters, key=lambda cluster: (-clusters[cluster], cluster)) if clusters else None
    return Ripple(
        number=number,
        subject=_core_terms(seed[1], span),
        members=tuple(comment.key for comment in comments),
        new_members=tuple(entry.comment.key for entry in span if entry.is_new),
        authors=tuple(dict.fromkeys(comment.author for comment in comments)),
        first_at=comments[0].at,
        last_at=comments[-1].at,
        known_cluster=known,
        scope=seed[0],
    )
