"""What the intake benchmark posts: a day of a brand's comments, or a storm.

``day``: one brand's day, replayed. Its texts are real comments from the data that ships with
the classifier (``classifier/data``): the desk's own hand-written corpus and the permissively
licensed third-party sets beside it (BANKING77 customer-service queries, CFPB complaint
narratives cut to their opening, Spanish and English tweets with and without insults; each
with its licence and citation in ``classifier/data/real/ATTRIBUTION.md``). Nothing is read from
outside the repository. A text drawn twice is varied as people vary it (other handles and
numbers, an order reference, a greeting, a typo, shouting), and no exact text appears more
than ``MAX_REPEATS`` times. Its timestamps spread over 24 hours from the start of the run, in
the order they are sent: every comment is live when it arrives, as in production, and each
batch's ripple window holds the hour or two of the day around it, not the whole day.

A few genuine ripples ride on it: ``RIPPLES`` complaints that BANKING77 labels as one intent
(a double charge, a refund that does not show, a declined card, a pending transfer), each posted
by 10 to 50 distinct people in their own words within 40 minutes. Whether they form is the
desk's ripple detection at work, so the bench reports what it found.

``storm``: the corpus's 1,873 hand-written texts, repeated across 5,000 authors within one
instant: most of them join ripples and are escalated as reds.
"""

import html
import json
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from classifier.corpus import load_corpus  # noqa: E402
from classifier.sources import REAL_DIR, cleaned_text  # noqa: E402
from classifier.watchlists import seed_watchlist  # noqa: E402

#: A day's mix, by source: customer-service questions and claims, the desk's own comments,
#: complaint letters, and the tweets of people who are angry with somebody.
MIX = {
    "corpus": 0.16,
    "banking77_en": 0.14,
    "cfpb_complaints_en": 0.03,
    "toxicity_latam_es": 0.30,
    "davidson_en": 0.37,
}
#: The ripples of the day: BANKING77 intents, one complaint each.
RIPPLES = (
    "transaction_charged_twice",
    "Refund_not_showing_up",
    "declined_card_payment",
    "pending_transfer",
)
RIPPLE_AUTHORS = (10, 50)
RIPPLE_SPAN = timedelta(minutes=40)
MAX_REPEATS = 3
DAY = timedelta(hours=24)
#: Where the third-party tweets and queries seem to come from.
PLATFORMS = {"twitter": 0.55, "facebook": 0.2, "instagram": 0.15, "youtube": 0.05, "tiktok": 0.05}


@dataclass(frozen=True, slots=True)
class Workload:
    name: str
    items: list[dict]
    planted: dict[str, int]  # ripple intent -> authors posting it
    max_repeats: int  # the most times one exact text appears


def storm(n: int, *, stamp: datetime) -> Workload:
    """The workload the bench always ran: the corpus's texts, 5,000 authors, one instant."""
    rows = load_corpus()
    rng = random.Random(7)
    items = []
    for i in range(n):
        row = rng.choice(rows)
        items.append(
            {
                "platform": row["platform"],
                "external_id": f"bench-{i}",
                "text": row["text"],
                "author_handle": f"@bench_user_{rng.randrange(n // 4)}",
                "author_followers": row["author_followers"],
                "likes": row["likes"],
                "shares": row["shares"],
                "lang": row["lang"],
                "posted_at": stamp.isoformat(),
            }
        )
    return Workload("storm", items, {}, max(Counter(i["text"] for i in items).values()))


def day(n: int, *, start: datetime, seed: int = 7) -> Workload:
    """``n`` comments of one brand's day from ``start``, in the order they are posted."""
    rng = random.Random(seed)
    sources = _sources()
    variety = _Variety(rng)
    comments: list[tuple[datetime, dict]] = []

    planted = {}
    banking = sources["banking77_en"]
    for intent in RIPPLES:
        texts = [row for row in banking if row["source_label"] == intent]
        authors = min(rng.randint(*RIPPLE_AUTHORS), len(texts))
        planted[intent] = authors
        begins = start + rng.uniform(0.05, 0.9) * DAY
        for row in rng.sample(texts, authors):
            at = begins + rng.uniform(0, 1) * RIPPLE_SPAN
            comments.append((at, _item(row, variety.vary(row["text"], row["lang"]), rng)))
            banking.remove(row)  # its words are the ripple's, not the background's

    names, weights = zip(*MIX.items(), strict=True)
    pools = {name: [] for name in names}
    while len(comments) < n:
        name = rng.choices(names, weights)[0]
        if not pools[name]:  # every text of the source once, in a new order, then again
            pools[name] = rng.sample(sources[name], len(sources[name]))
        row = pools[name].pop()
        at = start + rng.uniform(0, 1) * DAY
        comments.append((at, _item(row, variety.vary(row["text"], row["lang"]), rng)))

    comments.sort(key=lambda pair: pair[0])
    items = []
    for i, (at, item) in enumerate(comments):
        item["external_id"] = f"bench-{i}"
        item["author_handle"] = item.get("author_handle") or _author(rng, n)
        item["posted_at"] = at.isoformat()
        items.append(item)
    return Workload("day", items, planted, max(variety.seen.values()))


def _sources() -> dict[str, list[dict]]:
    rows = {"corpus": [{**row, "source_label": "corpus"} for row in load_corpus()]}
    for name in MIX:
        if name == "corpus":
            continue
        with (REAL_DIR / f"{name}.jsonl").open(encoding="utf-8") as handle:
            rows[name] = [
                {**row, "text": cleaned_text(html.unescape(row["text"]))}
                for row in map(json.loads, handle)
            ]
    return rows


def _item(row: dict, text: str, rng: random.Random) -> dict:
    """The row as a platform would send it: the corpus's own reach, else a typical one."""
    if "author_followers" in row:
        platform = row["platform"]
        followers, likes, shares = row["author_followers"], row["likes"], row["shares"]
    else:
        platform = rng.choices(list(PLATFORMS), list(PLATFORMS.values()))[0]
        followers = int(rng.lognormvariate(5.7, 1.5))  # median 300, one in 20,000 over 100,000
        likes = int(rng.expovariate(1 / 4))
        shares = int(rng.expovariate(1 / 0.5))
    return {
        "platform": platform,
        "text": text,
        "author_followers": followers,
        "likes": likes,
        "shares": shares,
        "lang": row["lang"],
    }


def _author(rng: random.Random, n: int) -> str:
    """Most people comment once a day; a few come back (a third of the comments)."""
    if rng.random() < 0.3:
        return f"@regular_{rng.randrange(max(1, n // 40))}"
    return f"@person_{rng.randrange(n * 10)}"


_MENTION = re.compile(r"@\w+")
_NUMBER = re.compile(r"\d{3,}")
_WORD = re.compile(r"[^\W\d_]{5,}")
_GREETING = {
    "es": ("hola ", "buenas, ", "oigan ", "Buenos dias, "),
    "en": ("hi ", "hey ", "Hello, "),
}
_ORDER = {"es": (" pedido #{}", " caso {}", " ref {}"), "en": (" order #{}", " ref {}", " case {}")}
_TAILS = ("!!", " 😡", " ...", "??", " 🙏", " #fail")


class _Variety:
    """Texts varied as people vary them, so that no exact text repeats past ``MAX_REPEATS``."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.seen: Counter[str] = Counter()
        self.keep = {handle.lower() for handle in seed_watchlist()}  # press and regulators

    def vary(self, text: str, lang: str) -> str:
        varied = text
        for strength in range(1, 20):
            if self.seen[varied] < MAX_REPEATS and (strength > 1 or self.rng.random() < 0.5):
                break
            varied = self._changed(text, lang, strength)
        self.seen[varied] += 1
        return varied

    def _changed(self, text: str, lang: str, strength: int) -> str:
        rng = self.rng
        text = _MENTION.sub(self._handle, text)
        text = _NUMBER.sub(lambda m: str(rng.randrange(10 ** len(m[0]))).zfill(len(m[0])), text)
        lang = lang if lang in _GREETING else "en"
        for _ in range(strength):
            change = rng.randrange(5)
            if change == 0:
                text = _typo(text, rng)
            elif change == 1:
                order = rng.choice(_ORDER[lang]).format(rng.randrange(10_000, 99_999))
                text = text.rstrip() + order
            elif change == 2:
                text = rng.choice(_GREETING[lang]) + text[:1].lower() + text[1:]
            elif change == 3:
                text = text.rstrip() + rng.choice(_TAILS)
            else:
                text = text.lower() if rng.random() < 0.7 else text.upper()
        return text

    def _handle(self, match: re.Match) -> str:
        if match[0].lower() in self.keep:
            return match[0]
        return f"@{self.rng.choice(('ana', 'luis', 'sol', 'kev', 'maru', 'tom', 'jo'))}" + str(
            self.rng.randrange(1000)
        )


def _typo(text: str, rng: random.Random) -> str:
    words = list(_WORD.finditer(text))
    if not words:
        return text
    word = rng.choice(words)
    i = rng.randrange(word.start() + 1, word.end() - 1)
    kind = rng.randrange(3)
    if kind == 0:  # two letters swapped
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == 1:  # one dropped
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]  # one doubled
