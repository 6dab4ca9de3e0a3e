"""Threaded servers (runserver, gthread workers) classify from several threads at once: the
shared caches and the growing vocabulary must neither raise nor mix up comments."""

import random
import string
from concurrent.futures import ThreadPoolExecutor

from classifier import CommentInput, classify
from classifier.corpus import load_corpus


def _batches(seed: int, count: int = 30, size: int = 40) -> list[list[CommentInput]]:
    """Corpus texts with never-seen words appended, so every batch grows the vocabulary."""
    rng = random.Random(seed)
    texts = [row["text"] for row in load_corpus()]
    return [
        [
            CommentInput(
                text=f"{rng.choice(texts)} {''.join(rng.choices(string.ascii_lowercase, k=9))}"
            )
            for _ in range(size)
        ]
        for _ in range(count)
    ]


def test_concurrent_batches_neither_raise_nor_mix_up_decisions():
    work = [batch for seed in range(4) for batch in _batches(seed)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(classify, work))
    alone = [classify(batch) for batch in work]
    assert [[(d.category, d.level) for d in batch] for batch in concurrent] == [
        [(d.category, d.level) for d in batch] for batch in alone
    ]
