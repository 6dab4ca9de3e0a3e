"""Features shared by training and classification: character n-grams, words, signals.

Character n-grams are hashed in numpy over the whole batch at once (a rolling polynomial hash
of the code points), because building n-gram strings in Python costs more than everything
else the classifier does. Words, word pairs and signals go through a vocabulary dict fixed at
training time. Every block is scaled the same way in training and at run time, so the model is
just a linear map: scores = sum of the weights of the features present.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

CHAR_NGRAM_SIZES = (2, 3, 4, 5)
CHAR_BUCKET_BITS = 20
CHAR_BUCKETS = 1 << CHAR_BUCKET_BITS
_HASH_BASE = np.uint64(0x100000001B3)
_HASH_MIX = np.uint64(0x9E3779B97F4A7C15)
_SEPARATOR = "\x01"
SIGNAL_VALUE = 1.0


@dataclass(frozen=True, slots=True)
class Prepared:
    """One comment reduced to what the model reads."""

    char_text: str  # folded text, @handles replaced, padded with spaces
    terms: tuple[str, ...]  # words, word pairs and signal names


def model_tokens(tokens: Sequence[str], signal_handles: frozenset[str]) -> list[str]:
    """Brand @handles are noise to the model; those that fired a signal keep their name."""
    return [("@m" if token[0] == "@" and token not in signal_handles else token)
            for token in tokens]


def prepare(tokens: Sequence[str], fired: dict[str, list[str]], negated: frozenset[str],
            is_troll: bool) -> Prepared:
    handles = frozenset(p for phrases in fired.values() for p in phrases if p[:1] == "@")
    words = model_tokens(tokens, handles)
    terms = list(words)
    terms.extend(f"{first} {second}" for first, second in zip(words, words[1:], strict=False))
    terms.extend("S:" + signal for signal in fired)
    terms.extend("N:" + signal for signal in negated)
    if is_troll:
        terms.append("S:troll_author")
    return Prepared(" " + " ".join(words) + " ", tuple(terms))


def char_ngram_buckets(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(document index, bucket) of every character n-gram in the batch, and n-grams per doc."""
    n_docs = len(texts)
    lengths = np.fromiter((len(text) for text in texts), dtype=np.int64, count=n_docs)
    joined = _SEPARATOR.join(texts) + _SEPARATOR
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), lengths + 1)
    is_separator = np.zeros(len(codes) + 1, dtype=np.int64)
    is_separator[1:] = np.cumsum(codes == ord(_SEPARATOR))
    doc_parts, bucket_parts = [], []
    shift = np.uint64(64 - CHAR_BUCKET_BITS)
    for size in CHAR_NGRAM_SIZES:
        count = len(codes) - size + 1
        if count <= 0:
            continue
        hashed = np.full(count, np.uint64(size), dtype=np.uint64)
        for offset in range(size):
            hashed = hashed * _HASH_BASE + codes[offset:offset + count]
        clean = (is_separator[size:size + count] - is_separator[:count]) == 0
        hashed = hashed[clean]
        hashed ^= hashed >> np.uint64(31)
        doc_parts.append(doc_of[:count][clean])
        bucket_parts.append(((hashed * _HASH_MIX) >> shift).astype(np.int64))
    if not doc_parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(n_docs, dtype=np.int64)
    docs = np.concatenate(doc_parts)
    buckets = np.concatenate(bucket_parts)
    per_doc = np.bincount(docs, minlength=n_docs)
    return docs, buckets, per_doc


def term_indices(prepared: Sequence[Prepared], vocabulary: dict[str, int]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(doc, term index, value) of known terms, and the per-doc word scaling."""
    docs: list[int] = []
    indices: list[int] = []
    values: list[float] = []
    word_counts = np.ones(len(prepared), dtype=np.float64)
    get = vocabulary.get
    for doc, item in enumerate(prepared):
        n_words = 0
        for term in item.terms:
            index = get(term)
            is_signal = term[1:2] == ":" and term[:1] in "SN"
            if not is_signal:
                n_words += 1
            if index is None:
                continue
            docs.append(doc)
            indices.append(index)
            values.append(SIGNAL_VALUE if is_signal else -1.0)  # -1 marks "scale later"
        word_counts[doc] = max(n_words, 1)
    doc_array = np.asarray(docs, dtype=np.int64)
    value_array = np.asarray(values, dtype=np.float64)
    scale = 1.0 / np.sqrt(word_counts)
    word_mask = value_array < 0
    value_array[word_mask] = scale[doc_array[word_mask]]
    return doc_array, np.asarray(indices, dtype=np.int64), value_array, scale


def design_matrix(prepared: Sequence[Prepared], vocabulary: dict[str, int]):
    """The sparse training matrix: [char buckets | vocabulary terms]."""
    from scipy import sparse

    n_docs = len(prepared)
    char_docs, buckets, per_doc = char_ngram_buckets([p.char_text for p in prepared])
    char_values = 1.0 / np.sqrt(np.maximum(per_doc, 1))[char_docs]
    term_docs, terms, term_values, _ = term_indices(prepared, vocabulary)
    rows = np.concatenate([char_docs, term_docs])
    cols = np.concatenate([buckets, terms + CHAR_BUCKETS])
    data = np.concatenate([char_values, term_values])
    shape = (n_docs, CHAR_BUCKETS + len(vocabulary))
    return sparse.csr_matrix((data, (rows, cols)), shape=shape)


def build_vocabulary(prepared: Sequence[Prepared], min_count: int = 1) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in prepared:
        for term in set(item.terms):
            counts[term] = counts.get(term, 0) + 1
    kept = sorted(term for term, count in counts.items()
                  if count >= min_count or term.startswith(("S:", "N:")))
    return {term: index for index, term in enumerate(kept)}
