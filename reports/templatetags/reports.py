"""How the overview's numbers read in its tables: minutes, percentages, and the volume's
columns as rows (one per bucket), so each table shows exactly what its chart draws."""

from django import template
from django.utils.formats import number_format

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
