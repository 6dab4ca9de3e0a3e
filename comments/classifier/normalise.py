"""Turn a comment as written on social media into tokens the lexicons and the model can share.

People write "PESIMOOO", "l4dr0n3s", "h i j u e p u t a s", "f*cking", skip accents and
reply with emoji. Everything downstream (signals, model, language detection) reads the
`Normalised` form, so one comment is folded exactly once. The steps are ordered so that the
cheap ones run on every comment and the rare fixes (leetspeak, spaced letters, censored
profanity) only when a quick test says they can apply: this module is most of the per-comment
cost of the classifier.
"""

import re
from dataclasses import dataclass

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
    "á": "a", "à": "a", "ä": "a", "â": "a", "ã": "a",
    "é": "e", "è": "e", "ë": "e", "ê": "e",
    "í": "i", "ì": "i", "ï": "i", "î": "i",
    "ó": "o", "ò": "o", "ö": "o", "ô": "o", "õ": "o",
    "ú": "u", "ù": "u", "ü": "u", "û": "u",
    "ñ": "n", "ç": "c",
    "’": "'", "‘": "'", "´": "'", "`": "'", "“": '"', "”": '"', "«": '"', "»": '"',
}


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in list(range(0, 32)) + list(range(127, 160)):
        table[code] = " "
    for code in (0x200D, 0xFE0F, 0xFE0E, 0x200B, 0xFFFD):
        table[code] = ""
    for plain_from, plain_to in _ACCENTS.items():
        table[ord(plain_from)] = plain_to
    for token, chars in _EMOJI_CLASSES.items():
        for char in chars:
            table[ord(char)] = f" {token} "
    return table


_FOLD_TABLE = _build_fold_table()

_URL_RE = re.compile(
    r"(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|ly|io|co|me|info|example|shop|top|link)"
    r"(?:/\S*)?\b"
)
_CAPS_RUN_RE = re.compile(r"[A-ZÁÉÍÓÚÑÜ]{3}")
_CAPS_WORD_RE = re.compile(r"(?<![@#\w])[A-ZÁÉÍÓÚÑÜ]{2,}(?!\w)")
_WORD_RE = re.compile(r"(?<![@#\w])[^\W\d_]{2,}(?!\w)")
_EXCLAIM_RE = re.compile(r"[!¡]{3,}")
_CENSORED_RE = re.compile(r"\b([fspmc])[*#@$.]+([a-z]{1,6})\b")
_LEET_CANDIDATE_RE = re.compile(r"\b[a-z0-9@$]*[a-z][a-z0-9@$]*\b")
_HAS_DIGIT_RE = re.compile(r"[a-z][0-9]|[0-9][a-z]")
_UNIT_LIKE_RE = re.compile(r"^(?:\d+[a-z]{1,3}|[a-z]{1,3}\d+|\d+x\d+)$")
_SPACED_RE = re.compile(r"(?<![a-z0-9])(?:[a-z][ .\-_*]){3,}[a-z](?![a-z0-9])")
_REPEAT_RE = re.compile(r"([a-z])\1{2,}")
_LAUGH_ES_RE = re.compile(r"\b(?:[aj]*j[aeij]*){2,}\b|\bj[aj]{3,}\b")
_LAUGH_EN_RE = re.compile(r"\b(?:ha){2,}h?\b|\bl+o+l+(?:o+l+)*\b|\blm+a+o+\b")
_TOKEN_RE = re.compile(r"[@#]?\w+|[.,;:!?¿¡]")

_LEET_MAP = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                           "@": "a", "$": "s", "8": "b", "9": "g"})
_CENSORED_WORDS = {
    "f": {"ck": "fuck", "k": "fuck", "ing": "fucking", "cking": "fucking", "uck": "fuck",
          "ck*ng": "fucking", "king": "fucking"},
    "s": {"it": "shit", "t": "shit", "hit": "shit"},
    "p": {"ta": "puta", "uta": "puta", "to": "puto"},
    "m": {"erda": "mierda", "ierda": "mierda", "rda": "mierda"},
    "c": {"nt": "cunt", "abron": "cabron", "arajo": "carajo"},
}


@dataclass(frozen=True, slots=True)
class Normalised:
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
    if not _CAPS_RUN_RE.search(original):
        return None
    caps_words = _CAPS_WORD_RE.findall(original)
    if len(caps_words) < 3:
        return None
    caps_letters = sum(map(len, caps_words))
    letters = sum(map(len, _WORD_RE.findall(original)))
    if caps_letters < 10 or caps_letters < 0.6 * letters:
        return None
    return " ".join(caps_words[:6])


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


def fold(text: str) -> str:
    """Lower-case, strip accents and emoji into class tokens, undo the usual disguises."""
    folded = text.lower().translate(_FOLD_TABLE)
    if "." in folded or "/" in folded:
        folded = _URL_RE.sub(" _url_ ", folded)
    if "'" in folded:
        folded = (folded.replace("won't", "will not").replace("can't", "can not")
                  .replace("n't", " not").replace("'ll ", " will ").replace("'re ", " are ")
                  .replace("'ve ", " have ").replace("i'm ", "i am ").replace("'", " "))
    if "*" in folded or "#" in folded or "$" in folded:
        folded = _CENSORED_RE.sub(_uncensor, folded)
    if _HAS_DIGIT_RE.search(folded) or "@" in folded or "$" in folded:
        folded = _LEET_CANDIDATE_RE.sub(_unleet, folded)
    if _SPACED_RE.search(folded):
        folded = _SPACED_RE.sub(_join_spaced, folded)
    folded = _REPEAT_RE.sub(r"\1", folded)
    if "j" in folded:
        folded = _LAUGH_ES_RE.sub("jaja", folded)
    if "ha" in folded or "l" in folded:
        folded = _LAUGH_EN_RE.sub("haha", folded)
    return folded


def normalise(text: object) -> Normalised:
    original = coerce_text(text)
    folded = fold(original)
    exclaim = _EXCLAIM_RE.search(original)
    return Normalised(
        original=original,
        folded=folded,
        tokens=tuple(_TOKEN_RE.findall(folded)),
        shouting=_shouting(original),
        exclamations=exclaim.group(0) if exclaim else None,
    )
