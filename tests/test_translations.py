"""The interface is Spanish by default: every text of the Spanish catalogue is translated, and
none is a fuzzy guess (gettext ignores those, so the page would show English)."""

import re
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "es" / "LC_MESSAGES" / "django.po"


def _entries() -> list[str]:
    """The catalogue's entries with a text, so without the header (whose msgid is empty)."""
    entries = CATALOGUE.read_text(encoding="utf-8").strip().split("\n\n")
    return [entry for entry in entries if "msgid" in entry and _msgid(entry)]


def _translations(entry: str) -> list[str]:
    """Each msgstr (or msgstr[n]) of an entry, its continuation lines joined."""
    found = []
    for match in re.finditer(r'^msgstr(?:\[\d+\])? "(.*)"\n?((?:".*"\n?)*)', entry, re.M):
        continued = "".join(re.findall(r'^"(.*)"$', match.group(2), re.M))
        found.append(match.group(1) + continued)
    return found


def _msgid(entry: str) -> str:
    match = re.search(r'^msgid "(.*)"\n?((?:".*"\n?)*)', entry, re.M)
    return match.group(1) + "".join(re.findall(r'^"(.*)"$', match.group(2), re.M))


def test_no_text_is_left_untranslated_or_fuzzy():
    entries = _entries()
    assert len(entries) > 100  # the catalogue was read
    fuzzy = [_msgid(entry) for entry in entries if re.search(r"^#, .*fuzzy", entry, re.M)]
    untranslated = [_msgid(entry) for entry in entries if not all(_translations(entry))]
    assert fuzzy == []
    assert untranslated == []
