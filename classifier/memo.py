"""Memos for hot paths whose inputs repeat (tokens, texts copy-pasted by a ripple, stored JSON).

Pure Python like the rest of the classifier, so the desk's ripple detection uses the same one.

A plain dict is the fastest memo Python has; this one empties itself when it reaches its limit,
so a long-running worker never grows without bound. Emptying all at once is cheaper than an LRU
and, for inputs that repeat in bursts, loses little: the next burst fills it again.
"""

from typing import Any

#: Distinct words a word memo keeps (folded pieces, their surface, signature cues, the
#: matcher's vocabulary). A brand's day brings tens of thousands, most of them once (handles,
#: order numbers, typos), while the words that recur within an hour make most of every text.
#: At 200,000, five such memos grew each web worker by about 20 MiB over the 10-minute soak
#: (bench/soak.py); at 5,000, intake was 15 % slower.
WORDS = 10_000
#: Distinct texts or signatures a text memo keeps: the rows of a busy hour's ripple window.
TEXTS = 5_000


class BoundedCache(dict):
    """Read with ``get`` as any dict; write with ``keep``."""

    def __init__(self, limit: int, initial: dict | None = None):
        super().__init__(initial or {})
        self.limit = limit
        self._initial = dict(initial or {})

    def keep(self, key: Any, value: Any) -> Any:
        """Remember ``value`` for ``key`` and return it; forget everything else first when full."""
        if len(self) >= self.limit:
            self.clear()
            self.update(self._initial)
        self[key] = value
        return value

    def keep_all(self, items: dict) -> None:
        """Remember a batch of values at once, emptying first if they would not fit."""
        if len(self) + len(items) > self.limit:
            self.clear()
            self.update(self._initial)
        self.update(items)
