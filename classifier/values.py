"""The values that cross the classifier's surface.

The Django side maps `Category` and `Level` onto TextChoices with identical values, so these
strings are a contract: change them only together with the taxonomy.
"""

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    PQR = "pqr"
    INSULT = "insult"
    HIGH_LEVEL = "high_level"
    OTHER = "other"


class Level(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


#: Order used by the model's weight columns and by every report.
CATEGORIES: tuple[str, ...] = ("pqr", "insult", "high_level", "other")
LEVELS: tuple[str, ...] = ("green", "yellow", "red")
NEGATIVE_CATEGORIES = frozenset({"pqr", "insult", "high_level"})


@dataclass(frozen=True, slots=True)
class CommentInput:
    """One comment as the desk knows it when it arrives."""

    text: str
    lang: str | None = None
    platform: str = "other"
    author_followers: int = 0
    likes: int = 0
    shares: int = 0
    author_is_troll: bool = False
    author_has_overdue_case: bool = False
    ripple: str | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """A signal that fired and the words (or numbers) that fired it."""

    signal: str
    evidence: str

    def as_dict(self) -> dict:
        return {"signal": self.signal, "evidence": self.evidence}


@dataclass(frozen=True, slots=True)
class Decision:
    category: str
    level: str
    confidence: float
    reasons: tuple[Reason, ...]
    model_version: str
    lang: str
    #: The model decided with low confidence: the queue marks it "needs a human look".
    #: A flag only: it never changes the category or lowers the level a rule set.
    uncertain: bool = False


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Reach thresholds of the taxonomy; a negative comment at or above any of them is red."""

    followers: int = 100_000
    shares: int = 1_000
    likes: int = 5_000
    #: A model decision below this (calibrated) confidence is marked `uncertain`.
    uncertain_below: float = 0.6
