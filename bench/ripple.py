"""Benchmark: ripple detection for one intake batch against a full hour of stored comments.

The window holds 20,000 negative comments over the last hour and the batch 500 new ones, for a
desk serving 200 brands (scopes): a few real ripples (paraphrases of one complaint from many
authors against one brand, in Spanish and English) among complaints drawn from the shipped
corpus and varied the way traffic varies (other brands, numbers, casing, dropped and repeated
words, emoji, hashtags). Signatures are computed once,
as intake would, and timed separately. Prints `signature_per_s=N` and, last,
`ripple_batch_ms_p50=A window_size=W batch=B`.

    .venv/bin/python bench/ripple.py [--window 20000] [--batch 500] [--rounds 15]
"""

import argparse
import random
import re
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifier.corpus import load_corpus  # noqa: E402
from classifier.ripple import RippleComment, find_ripples  # noqa: E402
from classifier.signature import ripple_signature  # noqa: E402
from classifier.values import NEGATIVE_CATEGORIES  # noqa: E402

NOW = datetime(2026, 3, 14, 13, 0, tzinfo=UTC)
SCOPES = 200
BRANDS = ["@BancoAurora", "@MovilPlus_mx", "@RapiMenu", "@VuelaSur", "@NorthBank", "@CityNet"]
EXTRAS = ["", "", "", " 😡", " 🙏", " !!!", " #fail", " pls", " porfa", " ya", " 🤬", " smh"]
FILLERS = ["", "", "oigan ", "en serio ", "otra vez ", "hola, ", "ugh ", "wtf "]
_HANDLE_RE = re.compile(r"@\w+")
_NUMBER_RE = re.compile(r"\d+")

#: Paraphrase parts per ripple subject: opener + complaint + closer, so wording varies.
RIPPLES = {
    "double_charge": (
        ["", "@BancoAurora ", "alguien mas? ", "otra vez "],
        [
            "me cobraron dos veces en la tarjeta",
            "doble cobro en mi tarjeta",
            "cargo duplicado en la cuenta, me cobraron doble",
            "me hicieron un cargo doble",
            "me cobraronnn 2 veces el mismo pago",
            "charged twice for the same purchase",
            "double charge on my card again",
        ],
        ["", "!!", " 😡", " expliquen", " #cobrodoble", " q onda"],
    ),
    "app_down": (
        ["", "@NorthBank ", "ugh ", "hoy "],
        [
            "la app no abre",
            "la aplicacion se cae al iniciar sesion",
            "no me deja entrar a la app",
            "app caida otra vez",
            "the app keeps crashing",
            "app not loading since morning",
            "la app no carga nada",
        ],
        ["", "??", " 😤", " arreglen", " #appcaida", " wtf"],
    ),
    "flight_cancelled": (
        ["", "@VuelaSur ", "increible, ", "y ahora "],
        [
            "cancelaron mi vuelo sin avisar",
            "vuelo cancelado y nadie da la cara",
            "my flight got cancelled last minute",
            "otro vuelo cancelado",
            "flight cancelled and no info at the gate",
        ],
        ["", "!!!", " 😡", " #VuelaSurFail", " nadie responde"],
    ),
}


def vary(text: str, rng: random.Random, serial: int) -> str:
    """Another author's wording of a corpus comment: brand, numbers, case, words, extras."""
    text = _HANDLE_RE.sub(lambda _: rng.choice(BRANDS), text)
    text = _NUMBER_RE.sub(lambda match: str(int(match.group(0)) + rng.randint(0, 9)), text)
    words = text.split()
    if len(words) > 4 and rng.random() < 0.4:
        del words[rng.randrange(len(words))]
    if words and rng.random() < 0.2:
        index = rng.randrange(len(words))
        words[index] = words[index] + words[index][-1] * rng.randint(1, 3)
    text = rng.choice(FILLERS) + " ".join(words)
    if rng.random() < 0.15:
        text = text.upper()
    elif rng.random() < 0.3:
        text = text.lower()
    return text + rng.choice(EXTRAS) + f" #{serial % 7919}" * (rng.random() < 0.05)


def paraphrase(subject: str, rng: random.Random) -> str:
    openers, complaints, closers = RIPPLES[subject]
    return rng.choice(openers) + rng.choice(complaints) + rng.choice(closers)


def texts_and_times(count: int, ripple_share: float, start: datetime, end: datetime, seed: int):
    """`count` (text, time, scope): background complaints plus `ripple_share` of paraphrases.

    Each ripple hits one brand; background complaints are spread over all of them.
    """
    rng = random.Random(seed)
    negative = [row["text"] for row in load_corpus() if row["category"] in NEGATIVE_CATEGORIES]
    seconds = (end - start).total_seconds()
    pairs = []
    for serial in range(count):
        if rng.random() < ripple_share:
            subject = rng.choice(sorted(RIPPLES))
            text, scope = paraphrase(subject, rng), f"brand{sorted(RIPPLES).index(subject)}"
        else:
            text, scope = vary(rng.choice(negative), rng, serial), f"brand{rng.randrange(SCOPES)}"
        pairs.append((text, start + timedelta(seconds=rng.random() * seconds), scope))
    return pairs


def records(pairs, signatures, prefix: str, rng: random.Random) -> list[RippleComment]:
    return [
        RippleComment(
            key=f"{prefix}{index}",
            author=f"@user{rng.randrange(60_000)}",
            at=at,
            signature=signature,
            scope=scope,
        )
        for index, ((_, at, scope), signature) in enumerate(zip(pairs, signatures, strict=True))
    ]


def timed_signatures(texts: list[str]) -> tuple[list[tuple[str, ...]], float]:
    started = time.perf_counter()
    signatures = [ripple_signature(text) for text in texts]
    return signatures, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--window", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(5)
    hour_ago = NOW - timedelta(minutes=60)
    window_pairs = texts_and_times(args.window, 0.03, hour_ago, NOW - timedelta(minutes=1), 1)
    batch_pairs = texts_and_times(args.batch, 0.06, NOW - timedelta(minutes=1), NOW, 2)
    # Intake in steady state has folded most of the vocabulary before: warm up on other text.
    timed_signatures([text for text, *_ in texts_and_times(20_000, 0.03, hour_ago, NOW, 3)])
    texts = [text for text, *_ in window_pairs + batch_pairs]
    distinct = len(set(texts))
    signatures, signing_seconds = timed_signatures(texts)
    recent = records(window_pairs, signatures[: args.window], "stored", rng)
    batch = records(batch_pairs, signatures[args.window :], "new", rng)
    timings = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        ripples = find_ripples(batch, recent)
        timings.append((time.perf_counter() - started) * 1000)
    largest = sorted(ripples, key=lambda ripple: -ripple.size)[:5]
    print(
        f"texts={len(texts)} distinct_texts={distinct} empty_signatures="
        f"{sum(not signature for signature in signatures)} ripples={len(ripples)} "
        f"new_in_ripples={sum(len(ripple.new_members) for ripple in ripples)}"
    )
    for ripple in largest:
        print(f"  {ripple.scope}: {ripple.reason()[:110]}")
    print(f"signature_per_s={int(len(texts) / signing_seconds)}")
    print(
        f"ripple_batch_ms_p50={statistics.median(timings):.1f} "
        f"window_size={len(recent)} batch={len(batch)}"
    )


if __name__ == "__main__":
    main()
