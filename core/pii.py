"""Personal data a customer typed into a public comment: found, and masked. No Django.

``pii_detect(text)`` answers the spans of phone numbers, e-mail addresses, national ids of the
main Spanish-speaking markets and card numbers; intake stores them on the comment
(``Comment.pii``) so a page masks with ``mask_text`` at the cost of a string slice, never a
regex. The same ``mask_value`` masks a customer's recorded details (``cases.privacy``), so
nothing is masked two ways.

A false positive hides a number the desk needs (an order, a tracking code, an amount), so a
number counts only when it carries its own proof:

- a check digit where the document has one: Mexico's CURP and RFC, Argentina's CUIT/CUIL, Chile's
  RUT, Spain's DNI and NIE letters, and cards by Luhn with a card network's prefix;
- a label where it has none: "cédula", "C.C.", "DNI", "documento" (Colombia, Argentina, Peru),
  with the number alone after it (``DNI 12345678A`` is a Spanish DNI, and its letter is wrong);
  "tel", "celular", "WhatsApp"… for phones;
- for phones without a label, a leading ``+`` with a country code, or a mobile number's shape
  (Colombia 3xx xxx xxxx, Spain and Peru 6/7/9xx xxx xxx, Chile 9 xxxx xxxx, Argentina 11/15
  xxxx-xxxx, Mexico with its groups).

A number right after an order, ticket or tracking label ("pedido", "guía", "ticket", "folio"…)
or a currency sign is never a phone, card or document.
"""

import re
from dataclasses import dataclass
from enum import StrEnum


class PiiKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    CARD = "card"
    NATIONAL_ID = "national_id"


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    kind: PiiKind

    def as_list(self) -> list:
        return [self.start, self.end, str(self.kind)]


HIDDEN = "***"

# --- masks ----------------------------------------------------------------------------------


def _mask_email(value: str) -> str:
    local, _at, domain = value.partition("@")
    name, dot, tld = domain.rpartition(".")
    if not dot:  # no TLD to keep
        name, tld = domain, ""
    return f"{local[:2]}{HIDDEN}@{name[:2]}{HIDDEN}{dot}{tld}"


def _mask_tail(value: str) -> str:
    """The last four letters or digits, enough to match with the customer, never to use."""
    characters = re.sub(r"[^0-9A-Za-z]", "", value)
    return f"{HIDDEN}{characters[-4:]}" if len(characters) > 6 else HIDDEN


def _mask_name(value: str) -> str:
    return " ".join(f"{word[0]}{HIDDEN}" for word in value.split()) or HIDDEN


_MASKS = {"email": _mask_email, "name": _mask_name}


def mask_value(kind: str, value: str) -> str:
    """The one mask: e-mail ``jo***@gm***.com``, names ``J*** P***``, and every number or
    unknown kind ``***4821`` (its last four letters or digits, none when it is short)."""
    if not value:
        return ""
    return _MASKS.get(kind, _mask_tail)(str(value))


def mask_text(text: str, spans) -> str:
    """``text`` with each span (``Span`` or stored ``[start, end, kind]``) masked."""
    if not spans:
        return text
    parts, position = [], 0
    for start, end, kind in sorted(_as_tuples(spans)):
        if start < position or end > len(text):  # stale spans never leak a partial value
            continue
        parts.append(text[position:start])
        parts.append(mask_value(kind, text[start:end]))
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _as_tuples(spans):
    for span in spans:
        if isinstance(span, Span):
            yield span.start, span.end, str(span.kind)
        else:
            start, end, kind = span
            yield int(start), int(end), str(kind)


def pii_mask(text: str) -> str:
    """Detect and mask in one step: for texts stored without spans (payloads, older rows)."""
    return mask_text(text, pii_detect(text))


# --- check digits ---------------------------------------------------------------------------


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


_CARD_PREFIX = re.compile(r"4|5[1-5]|2[2-7]|3[47]|3[068]|6011|64[4-9]|65|35|62")


def _card_valid(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and bool(_CARD_PREFIX.match(digits)) and luhn_valid(digits)


_CURP_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ")}


def curp_valid(curp: str) -> bool:
    curp = curp.upper()
    total = sum(_CURP_VALUES.get(c, 0) * (18 - i) for i, c in enumerate(curp[:17]))
    return curp[17] == str((10 - total % 10) % 10)


_RFC_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ")}


def rfc_valid(rfc: str) -> bool:
    rfc = rfc.upper()
    if len(rfc) == 12:  # a company's: three letters, padded as the SAT pads it
        rfc = " " + rfc
    total = sum(_RFC_VALUES.get(c, 0) * (13 - i) for i, c in enumerate(rfc[:12]))
    check = 11 - total % 11
    expected = "0" if check == 11 else "A" if check == 10 else str(check)
    return rfc[12] == expected


def cuit_valid(digits: str) -> bool:
    total = sum(
        int(d) * w for d, w in zip(digits[:10], (5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=True)
    )
    check = 11 - total % 11
    expected = 0 if check == 11 else 9 if check == 10 else check
    return int(digits[10]) == expected


def rut_valid(body: str, check: str) -> bool:
    total, weight = 0, 2
    for digit in reversed(body):
        total += int(digit) * weight
        weight = 2 if weight == 7 else weight + 1
    value = 11 - total % 11
    expected = "0" if value == 11 else "K" if value == 10 else str(value)
    return check.upper() == expected


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni_es_valid(number: str, letter: str) -> bool:
    return _DNI_LETTERS[int(number) % 23] == letter.upper()


# --- patterns -------------------------------------------------------------------------------

_FLAGS = re.IGNORECASE
_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", _FLAGS)
_CARD = re.compile(r"(?<![\d.,])\d(?:[ -]?\d){12,22}(?![\d])")
_CURP = re.compile(r"\b[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{5}[A-Z\d]\d\b", _FLAGS)
_RFC = re.compile(r"(?<![\w&])[A-ZÑ&]{3,4}\d{6}[A-Z\d]{2}[A\d](?![\w&])", _FLAGS)
_CUIT = re.compile(r"\b(?:20|23|24|27|30|33|34)-?\d{8}-?\d\b")
_RUT = re.compile(r"(?<![\d.])(\d{1,2}\.?\d{3}\.?\d{3})-([\dk])\b", _FLAGS)
_DNI_ES = re.compile(r"\b(\d{8})[ -]?([A-Z])\b", _FLAGS)
_NIE = re.compile(r"\b([XYZ])[ -]?(\d{7})[ -]?([A-Z])\b", _FLAGS)
_ID_LABELLED = re.compile(
    r"\b(?:c[eé]dula(?:\s+de\s+(?:ciudadan[ií]a|identidad|extranjer[ií]a))?|c\.\s?c\.?|cc|"
    r"c\.\s?i\.?|dni|d\.n\.i\.?|documento(?:\s+de\s+identidad)?|n[uú]mero\s+de\s+documento"
    r")(?![\w])(?:\s+es\b)?[\s:.#º°n-]{0,6}"
    r"(\d{1,3}(?:\.\d{3}){1,3}|\d{6,10})(?![\w]|[.,-]\w)",
    _FLAGS,
)
_PHONE_LABELLED = re.compile(
    r"\b(?:tel[eé]fono|telf?|tfno|cel(?:ular)?|m[oó]vil|whats?app|wsp|wpp|"
    r"ll[aá]m(?:a|e|en)(?:me|nos)|contacto|phone|mobile|mi\s+n[uú]mero)\b\.?"
    r"(?:\s*(?:es|al|:|a|de\s+contacto)\b)?[\s:.=-]{0,4}"
    r"(\+?\(?\d[\d ().-]{5,20}\d)(?![\d])",
    _FLAGS,
)
_PHONE_INTERNATIONAL = re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,6}(?![\d])")
_PHONE_NATIONAL = re.compile(
    r"(?<![\d.,/:-])(?:"
    r"3\d{2}[ .-]?\d{3}[ .-]?\d{4}"  # Colombia, mobile
    r"|[679]\d{2}(?:[ .-]?\d{3}[ .-]?\d{3}|[ .-]\d{2}[ .-]\d{2}[ .-]\d{2})"  # Spain, Peru
    r"|9[ ]\d{4}[ ]\d{4}"  # Chile, mobile
    r"|(?:0?11|15)[ -]?\d{4}[ -]\d{4}"  # Argentina
    r"|\(?\d{2,3}\)?[ .-]\d{3,4}[ .-]\d{4}"  # Mexico, in its groups
    r")(?![\d]|[.,/:-]\d)"
)
#: An order, ticket or tracking label, or a currency, just before a number: not personal.
_NOT_PERSONAL_BEFORE = re.compile(
    r"(?:\b(?:pedido|orden|order|compra|gu[ií]a|tracking|rastreo|seguimiento|env[ií]o|ticket|"
    r"folio|factura|boleta|referencia|ref|radicado|caso|reclamo|expediente|transacci[oó]n|"
    r"operaci[oó]n|cup[oó]n|c[oó]digo|invoice|serial|serie|lote|sku|awb|monto|total)\b"
    r"[^\d\n]{0,15}|(?:\$|€|£|\b(?:usd|mxn|cop|ars|clp|pen|eur|bs|s/)\.?)\s*)$",
    _FLAGS,
)
_NEEDS_A_LOOK = re.compile(r"[\d@]")
_DIGIT = re.compile(r"\d")
_EMAIL_HINT = re.compile(r"[\w.%+-]@[\w-]+\.")


def _labelled_away(text: str, start: int) -> bool:
    return bool(_NOT_PERSONAL_BEFORE.search(text[max(0, start - 30) : start]))


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _cards(text: str):
    for match in _CARD.finditer(text):
        candidate = match.group()
        # The longest prefix that is a card: "4111 1111 1111 1111 12/26" ends at the card.
        for end in range(len(candidate), 0, -1):
            if not candidate[end - 1].isdigit():
                continue
            digits = _digits(candidate[:end])
            if len(digits) < 13:
                break
            if _card_valid(digits):
                yield match.start(), match.start() + end
                break


def _ids(text: str):
    for match in _CURP.finditer(text):
        if curp_valid(match.group()):
            yield match.start(), match.end()
    for match in _RFC.finditer(text):
        if rfc_valid(match.group()):
            yield match.start(), match.end()
    for match in _CUIT.finditer(text):
        if cuit_valid(_digits(match.group())):
            yield match.start(), match.end()
    for match in _RUT.finditer(text):
        if rut_valid(_digits(match.group(1)), match.group(2)):
            yield match.start(), match.end()
    for match in _DNI_ES.finditer(text):
        if dni_es_valid(match.group(1), match.group(2)):
            yield match.start(), match.end()
    for match in _NIE.finditer(text):
        number = str("XYZ".index(match.group(1).upper())) + match.group(2)
        if dni_es_valid(number, match.group(3)):
            yield match.start(), match.end()


def pii_detect(text: str) -> list[Span]:
    """The personal data in ``text``, in order, never overlapping; ``[]`` for most comments.

    Kinds are tried from the most certain (an e-mail, a number with a valid check digit) to the
    least (a number shaped like a mobile), and a later find inside an earlier one is dropped."""
    if not text or not _NEEDS_A_LOOK.search(text):
        return []
    # Every number this reads has six digits or more: most comments stop here.
    numbers = len(_DIGIT.findall(text)) >= 6
    emails = "@" in text and _EMAIL_HINT.search(text) is not None  # a handle is no e-mail
    if not numbers and not emails:
        return []
    found: list[Span] = []

    def add(start: int, end: int, kind: PiiKind, *, check_label: bool = True) -> None:
        if check_label and _labelled_away(text, start):
            return
        if any(start < other.end and other.start < end for other in found):
            return
        found.append(Span(start, end, kind))

    for match in _EMAIL.finditer(text) if emails else ():
        add(match.start(), match.end(), PiiKind.EMAIL, check_label=False)
    if not numbers:
        return found
    for start, end in _cards(text):
        add(start, end, PiiKind.CARD)
    for start, end in _ids(text):
        add(start, end, PiiKind.NATIONAL_ID)
    for match in _ID_LABELLED.finditer(text):
        add(match.start(1), match.end(), PiiKind.NATIONAL_ID, check_label=False)
    for match in _PHONE_LABELLED.finditer(text):
        if 7 <= len(_digits(match.group(1))) <= 15:
            add(match.start(1), match.end(1), PiiKind.PHONE, check_label=False)
    for match in _PHONE_INTERNATIONAL.finditer(text):
        if 8 <= len(_digits(match.group())) <= 15:
            add(match.start(), match.end(), PiiKind.PHONE)
    for match in _PHONE_NATIONAL.finditer(text):
        add(match.start(), match.end(), PiiKind.PHONE)
    return sorted(found, key=lambda span: span.start)


def pii_spans(text: str) -> list[list]:
    """The spans as ``Comment.pii`` stores them: ``[[start, end, kind], …]``."""
    return [span.as_list() for span in pii_detect(text)]


def pii_mask_strings(value, *, keep: frozenset[str] = frozenset()):
    """A JSON value with personal data masked in its free-text strings.

    Only strings with a space in them (or named in ``keep`` as known texts) are read: ids,
    timestamps and urls in a payload have none, and a platform's 19-digit comment id must not
    be taken for a card."""
    if isinstance(value, str):
        return pii_mask(value) if (" " in value or value in keep) else value
    if isinstance(value, list):
        return [pii_mask_strings(item, keep=keep) for item in value]
    if isinstance(value, dict):
        return {key: pii_mask_strings(item, keep=keep) for key, item in value.items()}
    return value
