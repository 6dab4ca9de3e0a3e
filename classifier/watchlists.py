"""Per-brand watchlists: the @handles of press outlets, regulators and influencers that
matter to a brand. Tagging one of them is calling in the media or an authority, whatever the
handle looks like, so the lexicon's guesses from handle names ("noticias", "prensa") are no
longer the only way to see it.

A watchlist is a mapping handle -> kind (`media`, `authority`, `influencer`); the desk keeps one
per brand and passes it to `classify(..., watchlist=...)`. Seeds per market ship here.
"""

import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

SEEDS_PATH = Path(__file__).resolve().parent / "data" / "watchlists.json"
KINDS = ("media", "authority", "influencer")
MARKETS = ("MX", "CO", "AR", "CL", "ES", "PE", "US")
#: The signal a tagged handle of each kind fires.
SIGNAL_OF_KIND = {
    "media": "media_mention",
    "influencer": "media_mention",
    "authority": "authority_mention",
}


@cache
def _seeds() -> dict[str, dict[str, str]]:
    with SEEDS_PATH.open(encoding="utf-8") as handle:
        data = json.load(handle)
    return {market: dict(entries) for market, entries in data.items() if market in MARKETS}


def seed_watchlist(markets: Iterable[str] = MARKETS) -> dict[str, str]:
    """The shipped seeds of these markets merged (handle as written -> kind)."""
    seeds = _seeds()
    merged: dict[str, str] = {}
    for market in markets:
        merged.update(seeds.get(market.upper(), {}))
    return merged


def folded_watchlist(watchlist: Mapping[str, str] | None) -> dict[str, str]:
    """Handles folded as the normaliser folds them ("@Profeco" -> "@profeco"), kind -> signal.

    Entries of an unknown kind, or that are not @handles, are skipped rather than guessed.
    """
    if not watchlist:
        return {}
    folded = {}
    for handle, kind in watchlist.items():
        if not isinstance(handle, str) or not isinstance(kind, str):
            continue
        name = handle.strip().lower()
        name = name if name.startswith("@") else "@" + name
        signal = SIGNAL_OF_KIND.get(kind.strip().lower())
        if signal and len(name) > 1:
            folded[name] = signal
    return folded
