"""Ripple detection: many authors posting the same complaint, in other words, within an hour.

The taxonomy makes every comment of a ripple red: at least `min_authors` (10) similar negative
comments from distinct authors within `window` (60 minutes). This module is the pure core;
the desk stores each comment's signature (``classifier.signature``) at intake and calls
`find_ripples` per batch.

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

from classifier.signature import CONCEPT_MARK, topic_of

#: A member must contain this share of the seed's terms ...
SEED_COVERAGE = 0.6
#: ... and the shared terms must be this share of the member's own topic.
MEMBER_COVERAGE = 0.5
#: Stem topics (no concept known) must share this many stems: one shared word is noise.
MIN_SHARED_STEMS = 2

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


# --------------------------------------------------------------------------------------------
# Subjects: what a complaint is about, as a key to count it by


#: The terms of a stem topic are joined by this in its subject key (stems and hashtags hold none).
SUBJECT_SEPARATOR = " "
#: The longest subject key: a stem topic's terms are kept, sorted, while they fit.
SUBJECT_KEY_CHARS = 255


def subject_keys(signature: Sequence[str]) -> tuple[str, ...]:
    """The subjects a signed negative comment is about, as keys that stay the same for every
    comment about them: the desk counts its most frequent complaints by these.

    The keys are the complaints the comment could seed a ripple with (``seed_topics``), one
    key each, never a combination: each concept of its topic (``~double_charge``; a comment
    about a double charge and a rude clerk counts for both), or, with no concept, its stem
    topic, when it is specific enough to be anyone's complaint (``belongs(topic, topic)``:
    at least ``MIN_SHARED_STEMS`` stems), written as its sorted terms. ``()`` when it names
    nothing a ripple could form around.
    """
    if not signature:
        return ()
    topic = topic_of(signature)
    if any(term.startswith(CONCEPT_MARK) for term in topic):
        return tuple(sorted(topic))
    if not belongs(topic, topic):
        return ()
    kept: list[str] = []
    length = -len(SUBJECT_SEPARATOR)
    for term in sorted(topic):
        length += len(SUBJECT_SEPARATOR) + len(term)
        if length > SUBJECT_KEY_CHARS:
            break
        kept.append(term)
    return (SUBJECT_SEPARATOR.join(kept),) if len(kept) >= MIN_SHARED_STEMS else ()


def subject_topic(key: str) -> frozenset[str]:
    """The topic a subject key was written from."""
    return frozenset(key.split(SUBJECT_SEPARATOR))


def subject_in_ripple(key: str, ripple_subject: Sequence[str]) -> bool:
    """Whether a ripple with this subject is about the subject ``key``: the ripple names it
    (a concept, or the same stems), or a comment about ``key`` would have joined it."""
    if not ripple_subject:
        return False
    return key in subject_keys(ripple_subject) or belongs(
        subject_topic(key), topic_of(ripple_subject)
    )


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
