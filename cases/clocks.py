"""A case's deadlines: how long the brand gives itself to answer each level."""

from datetime import datetime, timedelta

from brands.models import Brand


def due_at_for(brand: Brand, level: str, *, start: datetime) -> datetime:
    return start + timedelta(minutes=brand.due_minutes()[level])
