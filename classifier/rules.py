"""The taxonomy's decisions on top of the model: category guards and the semáforo level.

The model proposes category probabilities; these rules settle what the taxonomy settles by
rule (a violent threat is never `other`, `high_level` is always red, reach and ripples make a
negative comment red, a flagged troll with small reach is green) and name the reason for each
step, so a community manager sees in one glance why a comment got its colour.
"""

from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

from classifier.language import is_supported
from classifier.lexicons import REGULATORS
from classifier.signals import HIGH_LEVEL_SIGNALS, Signals, reason_for
from classifier.values import CATEGORIES, Decision, Reason, Thresholds

PQR, INSULT, HIGH_LEVEL, OTHER = CATEGORIES
GREEN, YELLOW, RED = "green", "yellow", "red"
_HIGH_INDEX = CATEGORIES.index(HIGH_LEVEL)

#: With a high-level trigger in the text (an authority, the press, harm, fraud, a collective
#: call), this much model probability is enough for `high_level`: a missed red costs far more
#: than a false one, and the trigger has already survived the innocent-use and negation checks.
HIGH_LEVEL_WITH_SIGNAL = 0.12
#: Confidence reported when there is nothing to judge (no words, unsupported language).
LOW_CONFIDENCE = 0.2

#: Reasons that never vary, built once (reasons are immutable values).
_TROLL = Reason("troll", "author flagged as troll")
_OVERDUE = Reason("overdue_case", "open case past its deadline")

HOSTILITY_SIGNALS = ("profanity", "insult", "threat", "shouting", "exclamations")
INSULT_SIGNALS = ("insult", "mockery", "profanity", "threat")
OTHER_SIGNALS = ("praise", "spam")


class CategoryChoice(NamedTuple):
    category: str
    confidence: float
    model_decided: bool


#: Nothing to judge (no words, an unsupported language): a low-confidence `other`.
_NO_JUDGEMENT = CategoryChoice(OTHER, LOW_CONFIDENCE, False)
# tuple.__new__ skips the NamedTuple's Python-level constructor (one choice per comment)
_new_choice = tuple.__new__


def choose_category(
    probabilities: Sequence[float],
    signals: Signals,
    *,
    has_words: bool,
    lang: str,
    best: int | None = None,
) -> CategoryChoice:
    """The model's category, unless the taxonomy settles it (see the module docstring).

    `best` is the most probable category's index when the caller computed it for a batch.
    """
    fired = signals.fired
    if not has_words:
        return _NO_JUDGEMENT
    threat = "violence_threat" in fired
    if not is_supported(lang) and not threat:
        return _NO_JUDGEMENT
    high_signal = not fired.keys().isdisjoint(HIGH_LEVEL_SIGNALS)
    if best is None:
        best = max(range(len(probabilities)), key=probabilities.__getitem__)
    if high_signal and (
        probabilities[_HIGH_INDEX] >= HIGH_LEVEL_WITH_SIGNAL or names_regulator(fired)
    ):
        best = _HIGH_INDEX
    category = CATEGORIES[best]
    confidence = probabilities[best]
    if threat and category == OTHER:
        # The taxonomy: a threat of violence is never "other"; with no claim it is an attack.
        return _new_choice(CategoryChoice, (INSULT, max(confidence, 0.5), False))
    return _new_choice(CategoryChoice, (category, confidence, True))


def names_regulator(fired: dict[str, list[str]]) -> bool:
    """A consumer-protection office or regulator by name decides high_level on its own.

    The taxonomy's first rule; such names survived the innocent-use and negation checks.
    """
    return any(
        phrase in REGULATORS
        or phrase[1:] in REGULATORS
        or (phrase[:1] == "@" and phrase in fired.get("authority_mention", ()))
        for phrase in fired.get("authority_mention", ())
    )


def has_reach(followers: int, likes: int, shares: int, thresholds: Thresholds) -> Reason | None:
    """Reach at or above any threshold, as the number that crossed it."""
    if followers >= thresholds.followers:
        return Reason("reach", f"followers={followers}")
    if shares >= thresholds.shares:
        return Reason("reach", f"shares={shares}")
    if likes >= thresholds.likes:
        return Reason("reach", f"likes={likes}")
    return None


def hostility_reasons(signals: Signals, original: str) -> list[Reason]:
    reasons = []
    for signal in HOSTILITY_SIGNALS:
        if signal in signals.fired:
            reason = reason_for(signal, signals.first(signal), original)
            reasons.append(Reason("hostility", reason.evidence))
    return reasons


def choose_level(
    category: str,
    signals: Signals,
    original: str,
    *,
    followers: int,
    likes: int,
    shares: int,
    is_troll: bool,
    overdue: bool,
    ripple: str | None,
    thresholds: Thresholds,
) -> tuple[str, list[Reason]]:
    """The semáforo colour and the reasons that decided it (beyond the category's own)."""
    if category == OTHER:
        return GREEN, []
    if category == HIGH_LEVEL:
        reasons = [Reason("ripple", ripple)] if ripple else []
        return RED, reasons
    fired = signals.fired
    red: list[Reason] = []
    if "violence_threat" in fired:
        red.append(reason_for("violence_threat", signals.first("violence_threat"), original))
    reach = has_reach(followers, likes, shares, thresholds)
    if reach:
        red.append(reach)
    if ripple:
        red.append(Reason("ripple", ripple))
    if is_troll:
        red.append(_TROLL)
    if reach or ripple or "violence_threat" in fired:
        return RED, red
    overdue_reason = [_OVERDUE] if overdue else []
    if category == INSULT:
        if is_troll and not overdue:
            return GREEN, red  # do not feed the troll: monitor, do not answer
        return YELLOW, red + overdue_reason
    yellow = hostility_reasons(signals, original)
    for signal in ("churn_threat", "repeated_problem"):
        if signal in fired:
            yellow.append(reason_for(signal, signals.first(signal), original))
    yellow += overdue_reason
    return (YELLOW if yellow else GREEN), yellow


def category_reasons(category: str, signals: Signals, original: str) -> list[Reason]:
    """The signals that explain the category itself."""
    fired = signals.fired
    if category == HIGH_LEVEL:
        wanted: tuple[str, ...] = HIGH_LEVEL_SIGNALS
    elif category == INSULT:
        wanted = INSULT_SIGNALS
    elif category == OTHER:
        wanted = OTHER_SIGNALS
    else:
        wanted = ()
    return [reason_for(signal, fired[signal][0], original) for signal in wanted if signal in fired]


def with_ripple(decision: Decision, evidence: str) -> Decision:
    """The decision of a negative comment found to belong to a ripple: red, with its reason.

    What `choose_level` decides when `CommentInput.ripple` is given, applied after the batch is
    classified: the ripple is only known once the batch's negatives are compared with the
    window, and classifying the members a second time would cost the model's pass again.
    """
    if decision.category == OTHER:
        return decision
    reasons = tuple(reason for reason in decision.reasons if reason.signal != "ripple")
    # The taxonomy's rule settles a ripple member's level: the model's doubt no longer applies.
    return replace(
        decision,
        level=RED,
        reasons=(*reasons, Reason("ripple", evidence[:500])),
        uncertain=False,
    )
