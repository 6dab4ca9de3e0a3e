"""How the overview's numbers read in its tables: minutes, percentages, and the volume's
columns as rows (one per bucket), so each table shows exactly what its chart draws; an audit
event's changes as fields."""

import json

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()

NONE = "—"


@register.filter
def get(mapping: dict, key):
    return mapping.get(key) if mapping else None


@register.filter
def minutes(seconds: float | None) -> str:
    if seconds is None:
        return NONE
    return number_format(seconds / 60, decimal_pos=1)


@register.filter
def percent(rate: float | None) -> str:
    if rate is None:
        return NONE
    return f"{number_format(rate * 100, decimal_pos=1)} %"


@register.filter
def volume_rows(volume: dict) -> list[dict]:
    """One row per bucket: its label, the count of each level and category, the total and
    the shares of reds and yellows."""
    return [
        {
            "bucket": bucket,
            "levels": {level: counts[n] for level, counts in volume["levels"].items()},
            "categories": {name: counts[n] for name, counts in volume["categories"].items()},
            "total": volume["totals"][n],
            "red_share": volume["red_share"][n],
            "yellow_share": volume["yellow_share"][n],
        }
        for n, bucket in enumerate(volume["buckets"])
    ]


#: A trend as an arrow and the words a screen reader says for it. A complaint going up is bad
#: news, so the page colours it as such (``trend-up``).
_ARROWS = {"up": "▲", "down": "▼", "flat": "▬", "new": "●"}


@register.filter
def trend_arrow(trend: str) -> str:
    return _ARROWS.get(trend, "")


@register.filter
def trend_words(trend: str) -> str:
    words = {
        "up": _("Rising against the previous period"),
        "down": _("Falling against the previous period"),
        "flat": _("As in the previous period"),
        "new": _("None in the previous period"),
    }
    return words.get(trend, "")


@register.filter
def change(rate: float | None) -> str:
    """A change as a signed percentage: "+50 %", "−25 %"; nothing when there is none."""
    if rate is None:
        return ""
    sign = "+" if rate > 0 else "−" if rate < 0 else "±"
    return f"{sign}{number_format(abs(rate) * 100, decimal_pos=0)} %"


@register.filter
def keys_with_labels(subject: dict) -> list[tuple[str, str]]:
    """A subject's keys, each with its words."""
    return list(zip(subject["keys"], subject["key_labels"], strict=True))


@register.filter
def audit_changes(event) -> list[tuple[str, str, str]]:
    """An event's payload as the fields it names, each with its value before and after (``—``
    where a side has none), so a reader sees what changed without reading JSON."""
    before, after = _as_fields(event.before), _as_fields(event.after)
    return [
        (key, _audit_value(before.get(key)), _audit_value(after.get(key)))
        for key in sorted(before.keys() | after.keys())
    ]


def _as_fields(payload) -> dict:
    if isinstance(payload, dict):
        return payload
    return {} if payload in (None, "", []) else {"value": payload}


def _audit_value(value) -> str:
    if value is None or value == "":
        return NONE
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
