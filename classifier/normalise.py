"""Turn a comment as written on social media into tokens the lexicons and the model can share.

People write "PESIMOOO", "l4dr0n3s", "h i j u e p u t a s", "f*cking", skip accents and
reply with emoji. Everything downstream (signals, model, language detection) reads the
`Normalised` form, so one comment is folded exactly once. The steps are ordered so that the
cheap ones run on every comment and the rare fixes (leetspeak, spaced letters, censored
profanity) only when a quick test says they can apply: this module is most of the per-comment
cost of the classifier.
"""

import re
import string
from collections.abc import Sequence
from itertools import chain
from typing import NamedTuple, cast

import numpy as np

from classifier.memo import WORDS, BoundedCache

#: Longer comments are cut: the verdict is in the first few thousand characters, and a
#: 20,000-character paste must cost no more than an ordinary comment.
MAX_CHARS = 3000

_EMOJI_CLASSES = {
    "_emoangry_": "😡🤬😠👿💢😤",
    "_emofinger_": "🖕",
    "_emoclown_": "🤡",
    "_emovomit_": "🤮🤢",
    "_emolaugh_": "😂🤣😆😹😅😁😄😃😀",
    "_emolove_": "😍❤♥💕💖💗💙💚💛🧡💜🥰😘😻💘",
    "_emopraise_": "👏🙌👌💯🔥🏆👍💪🎉🥳⭐🌟😎✨🎊🤩",
    "_emosad_": "😭😢😞😔😕🙁☹🥺😩😫",
    "_emoskull_": "💀☠",
    "_emomoney_": "💰💸💵🤑📈🤑",
    "_emopray_": "🙏",
    "_emoeyes_": "👀",
    "_emoeyeroll_": "🙄🙃😒😑",
    "_emotrash_": "💩🗑",
    "_emoanimal_": "🐀🐒🐍🐷🐖🦨🧌🪳🐛",
    "_emoalarm_": "⚠🚨📢📣",
    "_emoshock_": "😱😳😨😰🫣",
}

_ACCENTS = {
    "á": "a",
    "à": "a",
    "ä": "a",
    "â": "a",
    "ã": "a",
    "é": "e",
    "è": "e",
    "ë": "e",
    "ê": "e",
    "í": "i",
    "ì": "i",
    "ï": "i",
    "î": "i",
    "ó": "o",
    "ò": "o",
    "ö": "o",
    "ô": "o",
    "õ": "o",
    "ú": "u",
    "ù": "u",
    "ü": "u",
    "û": "u",
    "ñ": "n",
    "ç": "c",
    "’": "'",
    "‘": "'",
    "´": "'",
    "`": "'",
    "“": '"',
    "”": '"',
    "«": '"',
    "»": '"',
    "¿": " ? ",
    "¡": " ! ",
}


def _build_fold_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for code in list(range(0, 32)) + list(range(127, 160)):
        table[chr(code)] = " "
    table.update(_ACCENTS)
    for token, chars in _EMOJI_CLASSES.items():
        for char in chars:
            table[char] = f" {token} "
    return table


_FOLD_TABLE = _build_fold_table()
# Only characters outside printable ASCII need folding; matching them with a regex and
# looking each up is much faster than str.translate with a dict over every character.
_UNUSUAL_RE = re.compile(r"[^\x20-\x7e]")
_URL_HINT_RE = re.compile(r"https?:|www\.|[a-z0-9]\.[a-z]{2,7}(?:/|\b)")

_URL_RE = re.compile(
    r"(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|ly|io|co|me|info|example|shop|top|link)"
    r"(?:/\S*)?\b"
)
_CAPS_RUN_RE = re.compile(r"[A-ZÁÉÍÓÚÑÜ]{3}")
_CAPS_WORD_RE = re.compile(r"(?<![@#\w])[A-ZÁÉÍÓÚÑÜ]{2,}(?!\w)")
_WORD_RE = re.compile(r"(?<![@#\w])[^\W\d_]{2,}(?!\w)")
_EXCLAIM_RE = re.compile(r"[!¡]{3,}")
_CENSORED_RE = re.compile(r"\b([fspmc])[*#@$.]+([a-z]{1,6})\b")
_LEET_CANDIDATE_RE = re.compile(r"(?<![@\w])[a-z$]*[0-9][a-z0-9@$]*")
_HAS_DIGIT_RE = re.compile(r"[a-z][0-9]|[0-9][a-z]")
_UNIT_LIKE_RE = re.compile(r"^(?:\d+[a-z]{1,3}|[a-z]{1,3}\d+|\d+x\d+)$")
_SPACED_RE = re.compile(r"(?<![a-z0-9])(?:[a-z][ .\-_*]){3,}[a-z](?![a-z0-9])")
_REPEAT_RE = re.compile(r"([a-z])\1{2,}")
_LAUGH_ES_RE = re.compile(r"\ba?(?:j[aeiy]){2,}j?\b|\bj[sk](?:j[sk])+\b")
_LAUGH_EN_RE = re.compile(r"\b(?:ha){2,}h?\b|\bl+o+l+(?:o+l+)*\b|\blm+a+o+\b")
_DOT_LETTER_RE = re.compile(r"\.[a-z]")
_DIGIT_RE = re.compile(r"[0-9]")
_TRIPLE_RE = re.compile(r"(.)\1\1")


def _build_token_table() -> dict[int, str]:
    """ASCII symbols other than sentence punctuation become spaces (a 1:1, fast, table)."""
    return {ord(char): " " for char in string.punctuation if char not in "@#_.,;:!?"}


_TOKEN_TABLE = _build_token_table()

_LEET_MAP = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "8": "b",
        "9": "g",
    }
)
_CENSORED_WORDS = {
    "f": {
        "ck": "fuck",
        "k": "fuck",
        "ing": "fucking",
        "cking": "fucking",
        "uck": "fuck",
        "ck*ng": "fucking",
        "king": "fucking",
    },
    "s": {"it": "shit", "t": "shit", "hit": "shit"},
    "p": {"ta": "puta", "uta": "puta", "to": "puto"},
    "m": {"erda": "mierda", "ierda": "mierda", "rda": "mierda"},
    "c": {"nt": "cunt", "abron": "cabron", "arajo": "carajo"},
}


_new_tuple = tuple.__new__


class Normalised(NamedTuple):
    """A comment folded for matching, plus the surface features only the original shows."""

    original: str
    folded: str
    tokens: tuple[str, ...]
    shouting: str | None  # the capitalised words when the comment is mostly capitals
    exclamations: str | None  # the "!!!" run as written


def coerce_text(text: object) -> str:
    """Whatever arrives (None, bytes, numbers, binary junk) becomes a bounded string."""
    if text is None:
        return ""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", errors="replace")
    elif not isinstance(text, str):
        text = str(text)
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    return text


def _shouting(original: str) -> str | None:
    """Mostly capitals (at least three capitalised words, 60% of the letters) is shouting."""
    return _shouting_in_pieces(original.split())


def _shouting_in_pieces(pieces: Sequence[str]) -> str | None:
    """`_shouting` of the text made of these whitespace-separated pieces.

    Neither word pattern spans whitespace, and whitespace is neither a word character nor
    "@"/"#", so a text's capitalised words and letters are those of its pieces in order:
    each piece is read once and remembered, as shouted complaints repeat their words.
    """
    caps_words: list[str] = []
    letters = 0
    surfaces = _SURFACE_CACHE
    for piece in pieces:
        surface = surfaces.get(piece)
        if surface is None:
            surface = _piece_surface(piece)
        if surface[0]:
            caps_words.extend(surface[0])
        letters += surface[1]
    if len(caps_words) < 3:
        return None
    caps_letters = sum(map(len, caps_words))
    if caps_letters < 10 or caps_letters < 0.6 * letters:
        return None
    return " ".join(caps_words[:6])


def _piece_surface(piece: str) -> tuple[tuple[str, ...], int]:
    """The capitalised words of one piece and how many letters its words hold."""
    surface = (
        tuple(_CAPS_WORD_RE.findall(piece)),
        sum(map(len, _WORD_RE.findall(piece))),
    )
    if len(piece) <= _CACHEABLE_LENGTH:
        _SURFACE_CACHE.keep(piece, surface)
    return surface


_SURFACE_CACHE: BoundedCache = BoundedCache(WORDS)


def _fold_char(match: re.Match) -> str:
    """Known accents and emoji fold; other letters (another script) stay; symbols go."""
    char = match.group(0)
    folded = _FOLD_TABLE.get(char)
    if folded is not None:
        return folded
    return char if char.isalpha() else " "


def _uncensor(match: re.Match) -> str:
    first, rest = match.group(1), match.group(2)
    return _CENSORED_WORDS.get(first, {}).get(rest, first + rest)


def _unleet(match: re.Match) -> str:
    """Decode l4dr0n3s-style words but leave ids, units and prices ("500mb", "ps5") alone."""
    word = match.group(0)
    if not _HAS_DIGIT_RE.search(word) or _UNIT_LIKE_RE.match(word):
        return word
    letters = sum(char.isalpha() for char in word)
    if letters < 2 or letters < len(word) * 0.4:
        return word
    return word.translate(_LEET_MAP)


def _join_spaced(match: re.Match) -> str:
    return re.sub(r"[ .\-_*]", "", match.group(0))


def _may_hold_a_url(text: str) -> bool:
    """A cheap test first: most comments hold no link, and the URL pattern is the slow one."""
    return "http" in text or "www." in text or _DOT_LETTER_RE.search(text) is not None


def fold(text: str) -> str:
    """Lower-case, strip accents and emoji into class tokens, undo the usual disguises."""
    folded = text.lower()
    if not folded.isascii() or not folded.isprintable():
        folded = _UNUSUAL_RE.sub(_fold_char, folded)
    if "'" in folded:
        folded = (
            folded.replace("won't", "will not")
            .replace("can't", "can not")
            .replace("n't", " not")
            .replace("'ll", " will")
            .replace("'re", " are")
            .replace("'ve", " have")
            .replace("i'm", "i am")
            .replace("'", " ")
        )
    # Each repair runs only when a cheap test says it can apply: most comments need none.
    if _may_hold_a_url(folded) and _URL_HINT_RE.search(folded):
        folded = _URL_RE.sub(" _url_ ", folded)
    if "*" in folded or "#" in folded or "$" in folded:
        folded = _CENSORED_RE.sub(_uncensor, folded)
    if _DIGIT_RE.search(folded) and _HAS_DIGIT_RE.search(folded):
        folded = _LEET_CANDIDATE_RE.sub(_unleet, folded)
    if _SPACED_RE.search(folded):
        folded = _SPACED_RE.sub(_join_spaced, folded)
    if _TRIPLE_RE.search(folded):
        folded = _REPEAT_RE.sub(r"\1", folded)
    if "jaj" in folded or "jej" in folded or "jsj" in folded:
        folded = _LAUGH_ES_RE.sub("jaja", folded)
    if "haha" in folded or "lol" in folded or "lmao" in folded:
        folded = _LAUGH_EN_RE.sub("haha", folded)
    return folded


def tokenise(folded: str) -> tuple[str, ...]:
    """Words (with @ and # kept on handles and tags) and sentence punctuation, in order."""
    for mark in ".,;:!?":
        if mark in folded:
            folded = folded.replace(mark, f" {mark} ")
    return tuple(folded.translate(_TOKEN_TABLE).split())


_TOKEN_CACHE: BoundedCache = BoundedCache(WORDS)
_CACHEABLE_LENGTH = 40


def fold_word(raw: str) -> tuple[str, ...]:
    """The folded tokens of one whitespace-separated piece of a comment, memoised.

    Social-media vocabulary repeats itself, so folding piece by piece and remembering the
    result makes the regex repairs above run once per distinct piece instead of once per
    comment.
    """
    folded = _TOKEN_CACHE.get(raw)
    if folded is None:
        folded = tokenise(fold(raw))
        if len(raw) <= _CACHEABLE_LENGTH:
            _TOKEN_CACHE.keep(raw, folded)
    return folded


def _join_spaced_letters(tokens: list[str]) -> list[str]:
    """ "l a d r o n e s" -> "ladrones": four or more single letters in a row are one word."""
    joined: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        # a final "y" is more likely the conjunction than the word's last letter
        tail = [run.pop()] if len(run) > _SPACED_MIN and run[-1] == "y" else []
        if len(run) >= _SPACED_MIN:
            joined.append(_REPEAT_RE.sub(r"\1", "".join(run)))
        else:
            joined.extend(run)
        joined.extend(tail)
        run = []
        if token:
            joined.append(token)
    return joined


_SPACED_MIN = 4


def normalise(text: object) -> Normalised:
    """The normalised form of one comment (batches go through `normalise_batch`)."""
    return normalise_batch([coerce_text(text)])[0]


def normalise_batch(texts: Sequence[str]) -> list[Normalised]:
    """`normalise` for many comments (already coerced): the per-piece lookups of the whole
    batch run at once in C, and Python only slices each comment's tokens out of the result."""
    split = [text.split() for text in texts]
    raws = list(chain.from_iterable(split))
    pieces = _folded_pieces(raws)
    flat = tuple(chain.from_iterable(pieces))  # a tuple's slices are the comments' tokens
    # Where each comment's pieces and tokens start and end in the flat lists.
    piece_bounds = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, split), dtype=np.int64, count=len(split)), out=piece_bounds[1:])
    tokens_per_piece = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    token_bounds = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum(tokens_per_piece, out=token_bounds[1:])
    doc_bounds = token_bounds[piece_bounds].tolist()
    spaced = (
        _singles_per_document(flat, tokens_per_piece, token_bounds, piece_bounds) >= _SPACED_MIN
    ).tolist()
    result = []
    for index, original in enumerate(texts):
        tokens = flat[doc_bounds[index] : doc_bounds[index + 1]]
        if spaced[index]:
            tokens = tuple(_join_spaced_letters(list(tokens)))
        shouting = exclamations = None
        # a text without capitals (islower: one C scan) cannot shout
        if not original.islower() and _CAPS_RUN_RE.search(original):
            shouting = _shouting_in_pieces(split[index])
        # the substring test is the cheap filter; the search then always finds the run
        if ("!!!" in original or "¡¡¡" in original) and (
            run := _EXCLAIM_RE.search(original)
        ) is not None:
            exclamations = run.group(0)
        # tuple.__new__ skips the NamedTuple's Python-level constructor
        result.append(
            _new_tuple(Normalised, (original, " ".join(tokens), tokens, shouting, exclamations))
        )
    return result


def _folded_pieces(raws: list[str]) -> list[tuple[str, ...]]:
    """The folded tokens of each whitespace piece: one dict lookup each, folding the unseen."""
    pieces: list[tuple[str, ...] | None] = list(map(_TOKEN_CACHE.get, raws))
    position = 0
    while True:
        try:
            position = pieces.index(None, position)
        except ValueError:
            # no None is left: every miss was folded below
            return cast(list[tuple[str, ...]], pieces)
        pieces[position] = fold_word(raws[position])


def _singles_per_document(
    flat: Sequence[str], tokens_per_piece: np.ndarray, token_bounds: np.ndarray, piece_bounds
) -> np.ndarray:
    """Pieces that fold to one single-character token ("l a d r o n"), per comment."""
    if not flat:
        return np.zeros(len(piece_bounds) - 1, dtype=np.int64)
    token_lengths = np.fromiter(map(len, flat), dtype=np.int64, count=len(flat))
    first = np.minimum(token_bounds[:-1], len(flat) - 1)
    single = (tokens_per_piece == 1) & (token_lengths[first] == 1)
    cumulative = np.zeros(len(single) + 1, dtype=np.int64)
    np.cumsum(single, out=cumulative[1:])
    return cumulative[piece_bounds[1:]] - cumulative[piece_bounds[:-1]]
