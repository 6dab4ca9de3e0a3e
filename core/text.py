"""A stranger's text on its way into a mail header or a chat title: one line, bounded.

A line break in a Subject is a forged header to the mail library (``BadHeaderError``), and a
notice that raises is a notice nobody gets: the crisis subject carries a red's evidence, which
keeps the customer's line breaks ("defensor" newline "del pueblo").
"""

import re

_BREAKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str, *, max_length: int = 200) -> str:
    """``text`` on one line: every run of spaces, line breaks and control characters becomes one
    space, and past ``max_length`` characters it ends in an ellipsis."""
    line = _BREAKS.sub(" ", text).strip()
    if len(line) <= max_length:
        return line
    return line[: max_length - 1].rstrip() + "…"
