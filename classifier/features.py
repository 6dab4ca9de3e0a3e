"""Features shared by training and classification: character n-grams, words, word pairs and
signals, all hashed into one weight table.

Everything is hashed in numpy over the whole batch at once: character n-grams with a rolling
polynomial hash of the code points, words and word pairs with prefix sums of the same
polynomial (so a span's hash is one subtraction and one multiplication). Building n-gram
strings in Python would cost more than everything else the classifier does. Each block is
scaled the same way in training and at run time, so the model is a linear map: a comment's
score for a category is the sum of the weights of the features it contains.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import NamedTuple, cast

import numpy as np

from classifier.memo import BoundedCache

CHAR_NGRAM_SIZES = (2, 4)  # as good as (2, 3, 4, 5) in cross-validation, half the work
BUCKET_BITS = 18
BUCKETS = 1 << BUCKET_BITS
_BASE = 0x100000001B3
_BASE_INVERSE = pow(_BASE, -1, 1 << 64)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(64 - BUCKET_BITS)
_WORD_SALT = np.uint64(0x5BD1E9955BD1E995)
_PAIR_SALT = np.uint64(0x27D4EB2F165667C5)
_SIGNAL_SALT = np.uint64(0x165667B19E3779F9)
_SEPARATOR = "\x01"
_SPACE = 32
SIGNAL_VALUE = 1.0


class Prepared(NamedTuple):
    """One comment reduced to what the model reads."""

    text: str  # " word word ... " : folded tokens, brand @handles replaced
    signals: str  # " S:signal N:negated_signal ... "


_SPACED_HANDLE_RE = re.compile(r" @\w+")
_NO_SIGNALS = "  "


def prepare(
    folded: str, fired: dict[str, list[str]], negated: frozenset[str], is_troll: bool
) -> Prepared:
    """`folded` is the comment's tokens joined by single spaces."""
    return Prepared(model_text(folded, fired), signal_text(fired, negated, is_troll))


def model_text(folded: str, fired: dict[str, list[str]]) -> str:
    """The text the n-grams are read from.

    Brand @handles are noise to the model; handles that fired a signal keep their name.
    """
    text = " " + folded + " "
    if "@" in folded:
        keep = _handle_phrases(fired)
        # Tokens are joined by single spaces, so " @" starts exactly the tokens that are
        # handles; a literal start makes the regex scan fast.
        if keep:
            text = _SPACED_HANDLE_RE.sub(
                lambda m: m.group(0) if m.group(0)[1:] in keep else " @m", text
            )
        else:
            text = _SPACED_HANDLE_RE.sub(" @m", text)
    return text


def _handle_phrases(fired: dict[str, list[str]]) -> set[str] | None:
    """The fired phrases that are @handles, or None (the usual case: a brand's handle)."""
    handles = None
    for phrases in fired.values():
        for phrase in phrases:
            if phrase[:1] == "@":
                if handles is None:
                    handles = set()
                handles.add(phrase)
    return handles


def signal_text(fired: dict[str, list[str]], negated: frozenset[str], is_troll: bool) -> str:
    """The signals as pseudo-words: fired ones, then negated ones, then the troll flag."""
    if not fired and not negated and not is_troll:
        return _NO_SIGNALS
    key = (tuple(fired), negated, is_troll)
    text = _signal_texts.get(key)
    if text is None:
        names = ["S:" + signal for signal in fired]
        names.extend("N:" + signal for signal in negated)
        if is_troll:
            names.append("S:troll_author")
        text = _signal_texts.keep(key, " " + " ".join(names) + " ")
    return text


#: The few combinations of signals that occur, each spelled once.
_signal_texts: BoundedCache = BoundedCache(10_000)


@dataclass(frozen=True, slots=True)
class Hashed:
    """Every feature occurrence of a batch: document, bucket and value."""

    docs: np.ndarray
    buckets: np.ndarray
    values: np.ndarray
    # unigram word occurrences, kept to explain decisions with the words that weighed most
    word_docs: np.ndarray
    word_buckets: np.ndarray
    word_starts: np.ndarray
    word_ends: np.ndarray
    doc_offsets: np.ndarray


def _codes(
    texts: Sequence[str], padding: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Code points of the texts joined by separators, the text of each, where each starts,
    and each text's length. `padding` more separators end the batch (counted in the last
    text), so that n-grams may run past its end without a copy of the arrays."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    joined = _SEPARATOR.join(texts) + _SEPARATOR * (1 + padding)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    counts = lengths + 1
    if padding and len(counts):
        counts[-1] += padding
    doc_of = np.repeat(np.arange(len(texts), dtype=np.int64), counts)
    offsets = np.zeros(len(texts), dtype=np.int64)
    offsets[1:] = np.cumsum(lengths + 1)[:-1]
    return codes, doc_of, offsets, lengths


def _bucket(hashed: np.ndarray) -> np.ndarray:
    hashed ^= hashed >> np.uint64(29)
    hashed *= _MIX
    hashed >>= _SHIFT
    return hashed.astype(np.int64)


def _char_ngrams(codes: np.ndarray):
    """Per n-gram size: the bucket of the n-gram starting at each position of the batch.

    The n-gram of size k at position i extends the one of size k-1 by one character, so each
    size costs one multiply-add over the batch. N-grams that cross into the next comment are
    included here; callers drop them (training) or send them to bucket 0 (classification).
    """
    base = np.uint64(_BASE)
    length = len(codes)
    if 1 in CHAR_NGRAM_SIZES:
        yield 1, _ngram_buckets(codes)
    hashed = codes  # the 1-grams, never written: the first step below works on a copy
    for size in range(2, max(CHAR_NGRAM_SIZES) + 1):
        count = length - size + 1
        if count <= 0:
            return
        if size == 2:
            hashed = hashed[:count] * base
        else:
            hashed = hashed[:count]
            hashed *= base
        hashed += codes[size - 1 : size - 1 + count]
        if size in CHAR_NGRAM_SIZES:
            yield size, _ngram_buckets(hashed)


def _ngram_buckets(hashed: np.ndarray) -> np.ndarray:
    buckets = hashed * _MIX
    buckets >>= _SHIFT
    return buckets.view(np.int64)  # below 2**BUCKET_BITS: the same values as int64


def _powers(length: int) -> tuple[np.ndarray, np.ndarray]:
    """BASE**i and BASE**-i (mod 2**64) for i < length, and one more inverse.

    They depend on the length alone, so they are computed once for the longest batch seen
    (up to a bound on the memory kept) and sliced: a batch no longer pays two cumulative
    products over all its characters.
    """
    global _power_tables
    powers, inverses = _power_tables  # one read: another thread may replace them meanwhile
    if len(powers) < length:
        if length > _POWERS_KEPT:
            return _compute_powers(length)
        powers, inverses = _compute_powers(min(max(length, 2 * len(powers)), _POWERS_KEPT))
        _power_tables = (powers, inverses)
    return powers[:length], inverses[: length + 1]


def _compute_powers(length: int) -> tuple[np.ndarray, np.ndarray]:
    powers = np.full(length, np.uint64(_BASE), dtype=np.uint64)
    powers[0] = 1
    inverse = np.full(length + 1, np.uint64(_BASE_INVERSE), dtype=np.uint64)
    inverse[0] = 1
    return np.cumprod(powers, dtype=np.uint64), np.cumprod(inverse, dtype=np.uint64)


#: Powers kept between batches: at most 2**21 of each (32 MB in all); a scoring chunk of
#: ordinary comments needs a tenth of that, longer ones compute theirs.
_POWERS_KEPT = 1 << 21
_power_tables = (np.ones(0, dtype=np.uint64), np.ones(1, dtype=np.uint64))


def _span_hashes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Prefix sums P and inverse powers so that hash(s, e) = (P[e] - P[s]) * INV[s]."""
    length = len(codes)
    powers, inverse = _powers(length)
    prefix = np.zeros(length + 1, dtype=np.uint64)
    np.cumsum(codes * powers, dtype=np.uint64, out=prefix[1:])
    return prefix, inverse


def _words(
    codes: np.ndarray, doc_of: np.ndarray, separators: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Word spans (between single spaces) and their hashes, plus word pairs' hashes."""
    prefix, inverse = _span_hashes(codes)
    spaces = np.flatnonzero(codes == _SPACE)
    starts = spaces[:-1] + 1
    ends = spaces[1:]
    valid = (ends > starts) & ((separators[ends] - separators[starts]) == 0)
    word_hash = (prefix[ends] - prefix[starts]) * inverse[starts]
    pair_ok = valid[:-1] & valid[1:]
    pair_starts, pair_ends = starts[:-1][pair_ok], ends[1:][pair_ok]
    pair_hash = (prefix[pair_ends] - prefix[pair_starts]) * inverse[pair_starts]
    starts, ends, word_hash = starts[valid], ends[valid], word_hash[valid]
    return (
        starts,
        ends,
        _bucket(word_hash ^ _WORD_SALT),
        doc_of[pair_starts],
        _bucket(pair_hash ^ _PAIR_SALT),
    )


def _signal_buckets(prepared: Sequence[Prepared]) -> tuple[np.ndarray, np.ndarray]:
    """The comment and bucket of every signal pseudo-word, in comment order.

    A batch holds only a few distinct signal texts, so each is hashed once and remembered;
    a word's hash does not depend on where it sits, so the buckets are those of the batch.
    """
    texts = [item.signals for item in prepared]
    # Read into a local dict first: another thread may clear the shared one meanwhile.
    distinct = list(dict.fromkeys(texts))
    local = dict(zip(distinct, map(_signal_text_buckets.get, distinct), strict=True))
    unseen = [text for text, buckets in local.items() if buckets is None]
    if unseen:
        fresh = dict(zip(unseen, _hash_signal_texts(unseen), strict=True))
        local.update(fresh)
        _signal_text_buckets.keep_all(fresh)
    # every None in `local` was replaced by its fresh buckets just above
    filled = cast(dict[str, tuple[int, ...]], local)
    per_comment = list(map(filled.__getitem__, texts))
    counts = np.fromiter(map(len, per_comment), dtype=np.int64, count=len(per_comment))
    docs = np.repeat(np.arange(len(per_comment), dtype=np.int64), counts)
    buckets = np.fromiter(chain.from_iterable(per_comment), dtype=np.int64, count=len(docs))
    return docs, buckets


def _hash_signal_texts(texts: Sequence[str]) -> list[tuple[int, ...]]:
    """The buckets of each text's pseudo-words, hashed together in one pass."""
    codes, doc_of, _, _ = _codes(texts)
    separators = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(codes == ord(_SEPARATOR), out=separators[1:])
    starts, _, buckets, _, _ = _words(codes, doc_of, separators)
    hashed = _bucket(buckets.astype(np.uint64) ^ _SIGNAL_SALT).tolist()
    counts = np.bincount(doc_of[starts], minlength=len(texts)).tolist()
    result, position = [], 0
    for count in counts:
        result.append(tuple(hashed[position : position + count]))
        position += count
    return result


#: signal text -> the buckets of its pseudo-words
_signal_text_buckets: BoundedCache = BoundedCache(10_000)


def _char_counts(lengths: np.ndarray) -> np.ndarray:
    """Clean character n-grams per comment (all sizes), known from the lengths alone."""
    return sum(np.maximum(lengths - size + 1, 0) for size in CHAR_NGRAM_SIZES)


def hash_batch(prepared: Sequence[Prepared]) -> Hashed:
    """Every feature occurrence as (doc, bucket, value): the training matrix's entries."""
    n_docs = len(prepared)
    codes, doc_of, offsets, lengths = _codes([item.text for item in prepared])
    separators = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(codes == ord(_SEPARATOR), out=separators[1:])
    char_scale = 1.0 / np.sqrt(np.maximum(_char_counts(lengths), 1))
    doc_parts, bucket_parts = [], []
    for size, buckets in _char_ngrams(codes):
        clean = (separators[size : size + len(buckets)] - separators[: len(buckets)]) == 0
        doc_parts.append(doc_of[: len(clean)][clean])
        bucket_parts.append(buckets[clean])
    char_docs = np.concatenate(doc_parts) if doc_parts else np.zeros(0, dtype=np.int64)
    char_buckets = np.concatenate(bucket_parts) if bucket_parts else char_docs
    starts, ends, word_buckets, pair_docs, pair_buckets = _words(codes, doc_of, separators)
    word_docs = doc_of[starts]
    word_scale = 1.0 / np.sqrt(np.maximum(np.bincount(word_docs, minlength=n_docs), 1))
    signal_docs, signal_buckets = _signal_buckets(prepared)
    return Hashed(
        docs=np.concatenate([char_docs, word_docs, pair_docs, signal_docs]),
        buckets=np.concatenate([char_buckets, word_buckets, pair_buckets, signal_buckets]),
        values=np.concatenate(
            [
                char_scale[char_docs],
                word_scale[word_docs],
                word_scale[pair_docs],
                np.full(len(signal_docs), SIGNAL_VALUE),
            ]
        ),
        word_docs=word_docs,
        word_buckets=word_buckets,
        word_starts=starts,
        word_ends=ends,
        doc_offsets=offsets,
    )


def batch_scores(prepared: Sequence[Prepared], weights: np.ndarray) -> tuple[np.ndarray, Hashed]:
    """Sum of feature weights per comment (n_docs x n_classes), without building a matrix.

    A long batch is scored in chunks of comments: the arrays of a chunk stay in the CPU's
    caches, where those of 20,000 comments (tens of megabytes each) would go to memory at
    every numpy pass. A comment's features and sums do not depend on its neighbours, and
    each sum adds the same terms in the same order, so the scores are the same.
    """
    if len(prepared) <= SCORING_CHUNK:
        scores, hashed, _ = _chunk_scores(prepared, weights)
        return scores, hashed
    parts = [
        _chunk_scores(prepared[start : start + SCORING_CHUNK], weights)
        for start in range(0, len(prepared), SCORING_CHUNK)
    ]
    return np.concatenate([scores for scores, _, _ in parts]), _joined(parts)


#: Comments scored together: at ~100 characters each, a chunk's arrays are a megabyte or two.
SCORING_CHUNK = 2048


def _joined(parts: list[tuple[np.ndarray, Hashed, int]]) -> Hashed:
    """One batch's Hashed from its chunks': documents and positions shifted to the batch's."""
    doc_shift = np.cumsum([0] + [len(scores) for scores, _, _ in parts[:-1]])
    code_shift = np.cumsum([0] + [length for _, _, length in parts[:-1]])

    def joined(field: str, shifts: np.ndarray | None = None) -> np.ndarray:
        arrays = [getattr(hashed, field) for _, hashed, _ in parts]
        if shifts is not None:
            arrays = [array + shift for array, shift in zip(arrays, shifts.tolist(), strict=True)]
        return np.concatenate(arrays)

    return Hashed(
        docs=joined("docs", doc_shift),
        buckets=joined("buckets"),
        values=joined("values"),
        word_docs=joined("word_docs", doc_shift),
        word_buckets=joined("word_buckets"),
        word_starts=joined("word_starts", code_shift),
        word_ends=joined("word_ends", code_shift),
        doc_offsets=joined("doc_offsets", code_shift),
    )


def _chunk_scores(
    prepared: Sequence[Prepared], weights: np.ndarray
) -> tuple[np.ndarray, Hashed, int]:
    """`batch_scores` of one chunk, and how many code points its features were read from.

    Character n-grams come in comment order, so per-comment sums are one `reduceat` per
    n-gram size; bucket 0 (unclean n-grams) must hold zero weight.
    """
    n_docs = len(prepared)
    n_classes = weights.shape[1]
    longest = max(CHAR_NGRAM_SIZES)
    codes, doc_of, offsets, lengths = _codes([item.text for item in prepared], padding=longest)
    separators = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(codes == ord(_SEPARATOR), out=separators[1:])
    # One 16-byte element per bucket: numpy gathers a 1-D array far faster than rows of 2-D.
    packed = np.ascontiguousarray(weights, dtype=np.float32).view(np.complex128).reshape(-1)
    ends = np.append(offsets[1:], len(codes) - longest)
    char_sums = np.zeros((n_docs, n_classes), dtype=np.float64)
    for size, buckets in _char_ngrams(codes):
        # the last size-1 n-grams of each comment reach into the next one: bucket 0 (weight 0)
        buckets[(ends[:, None] - np.arange(1, size + 1)).reshape(-1)] = 0
        buckets[ends[-1] :] = 0
        gathered = np.take(packed, buckets).view(np.float32).reshape(-1, n_classes)
        char_sums += np.add.reduceat(gathered, offsets, axis=0)
    scores = char_sums / np.sqrt(np.maximum(_char_counts(lengths), 1))[:, None]
    starts, ends, word_buckets, pair_docs, pair_buckets = _words(codes, doc_of, separators)
    word_docs = doc_of[starts]
    word_scale = 1.0 / np.sqrt(np.maximum(np.bincount(word_docs, minlength=n_docs), 1))
    signal_docs, signal_buckets = _signal_buckets(prepared)
    docs = np.concatenate([word_docs, pair_docs, signal_docs])
    buckets = np.concatenate([word_buckets, pair_buckets, signal_buckets])
    values = np.concatenate(
        [word_scale[word_docs], word_scale[pair_docs], np.full(len(signal_docs), SIGNAL_VALUE)]
    )
    gathered = np.take(packed, buckets).view(np.float32).reshape(-1, n_classes) * values[:, None]
    for column in range(n_classes):
        scores[:, column] += np.bincount(docs, weights=gathered[:, column], minlength=n_docs)
    hashed = Hashed(
        docs=docs,
        buckets=buckets,
        values=values,
        word_docs=word_docs,
        word_buckets=word_buckets,
        word_starts=starts,
        word_ends=ends,
        doc_offsets=offsets,
    )
    return scores, hashed, len(codes)


def design_matrix(prepared: Sequence[Prepared]):
    """The sparse training matrix (documents x hashed buckets)."""
    from scipy import sparse

    hashed = hash_batch(prepared)
    return sparse.csr_matrix(
        (hashed.values, (hashed.docs, hashed.buckets)), shape=(len(prepared), BUCKETS)
    )


def word_buckets(words: Sequence[str]) -> np.ndarray:
    """The buckets of these single words as word features."""
    if not words:
        return np.zeros(0, dtype=np.int64)
    codes, doc_of, _, _ = _codes([f" {word} " for word in words])
    separators = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(codes == ord(_SEPARATOR), out=separators[1:])
    return _words(codes, doc_of, separators)[2]


def pair_buckets(pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    """The buckets of these consecutive word pairs as pair features."""
    if not pairs:
        return np.zeros(0, dtype=np.int64)
    codes, doc_of, _, _ = _codes([f" {first} {second} " for first, second in pairs])
    separators = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(codes == ord(_SEPARATOR), out=separators[1:])
    return _words(codes, doc_of, separators)[4]


def char_ngram_buckets(grams: Sequence[str]) -> np.ndarray:
    """The buckets of these character n-grams (each of a size in CHAR_NGRAM_SIZES)."""
    result = []
    for gram in grams:
        codes = np.frombuffer(gram.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        for size, buckets in _char_ngrams(codes):
            if size == len(gram):
                result.append(int(buckets[0]))
    return np.array(result, dtype=np.int64)
