"""The taxonomy's words: categories and semáforo levels, shared by every app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    PQR = "pqr", _("Question, complaint or claim")
    INSULT = "insult", _("Insult or attack")
    HIGH_LEVEL = "high_level", _("High-level complaint")
    OTHER = "other", _("Other")


class Level(models.TextChoices):
    RED = "red", _("Red")
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")

    @property
    def rank(self) -> int:
        """0 is the most urgent: the queue orders by rank ascending."""
        return LEVEL_RANK[self]


LEVEL_RANK = {Level.RED: 0, Level.YELLOW: 1, Level.GREEN: 2}

#: The categories a ripple is made of (the taxonomy's "negative").
NEGATIVE_CATEGORIES = [Category.PQR, Category.INSULT, Category.HIGH_LEVEL]
