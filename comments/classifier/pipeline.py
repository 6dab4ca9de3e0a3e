"""`classify`: a batch of comments in, one decision per comment out, in order.

The per-comment work (normalising, lexicons, language) is plain Python and memoised by text,
because copy-pasted complaints arrive by the dozen in a ripple; the model is applied to the
whole batch at once in numpy. Nothing a client sends can make this raise: text is coerced and
bounded, numbers are coerced, and a comment without words gets a low-confidence `other`.
"""

import gc
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from comments.classifier.features import Prepared, prepare
from comments.classifier.language import UNDETERMINED, language_from_tallies
from comments.classifier.model import Model, default_model
from comments.classifier.normalise import Normalised, coerce_text, normalise
from comments.classifier.rules import (
    CategoryChoice,
    category_reasons,
    choose_category,
    choose_level,
)
from comments.classifier.signals import FEATURE_ONLY, Signals, analyse
from comments.classifier.values import CATEGORIES, CommentInput, Decision, Reason, Thresholds

_TEXT_CACHE_LIMIT = 50_000
_text_cache: dict[str, tuple[Normalised, Signals, str, bool]] = {}


@dataclass(frozen=True, slots=True)
class Analysed:
    normalised: Normalised
    signals: Signals
    lang: str
    has_words: bool
    prepared: Prepared
    followers: int
    likes: int
    shares: int
    is_troll: bool
    overdue: bool
    ripple: str | None


def _count(value: object) -> int:
    if type(value) is int:
        return value if value > 0 else 0
    try:
        return max(int(value), 0)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return 0


def _analyse_text(text: str) -> tuple[Normalised, Signals, str, bool]:
    cached = _text_cache.get(text)
    if cached is None:
        if len(_text_cache) >= _TEXT_CACHE_LIMIT:
            _text_cache.clear()
        normalised = normalise(text)
        signals = analyse(normalised)
        lang, evidence = language_from_tallies(signals.languages, signals.words)
        # Something to judge: a function word of some language, or a lexicon signal.
        has_words = lang != UNDETERMINED and (evidence > 0 or _judgeable_signals(signals))
        if not has_words:
            lang = UNDETERMINED
        cached = _text_cache[text] = (normalised, signals, lang, has_words)
    return cached


def clear_text_cache() -> None:
    """Forget memoised texts (benchmarks use it to measure unseen comments honestly)."""
    _text_cache.clear()


def _judgeable_signals(signals: Signals) -> bool:
    """Any lexicon signal made of words (a lone "?" in binary junk does not count)."""
    return any(
        signal not in FEATURE_ONLY or any(phrase[:1].isalpha() for phrase in phrases)
        for signal, phrases in signals.fired.items()
    )


def analyse_comment(comment: CommentInput) -> Analysed:
    text = coerce_text(getattr(comment, "text", ""))
    normalised, signals, detected, has_words = _analyse_text(text)
    given = getattr(comment, "lang", None)
    lang = given.strip().lower()[:8] if isinstance(given, str) and given.strip() else detected
    is_troll = bool(getattr(comment, "author_is_troll", False))
    ripple = getattr(comment, "ripple", None)
    return Analysed(
        normalised=normalised,
        signals=signals,
        lang=lang,
        has_words=has_words,
        prepared=prepare(normalised.folded, signals.fired, signals.negated, is_troll),
        followers=_count(getattr(comment, "author_followers", 0)),
        likes=_count(getattr(comment, "likes", 0)),
        shares=_count(getattr(comment, "shares", 0)),
        is_troll=is_troll,
        overdue=bool(getattr(comment, "author_has_overdue_case", False)),
        ripple=str(ripple)[:500] if ripple else None,
    )


def _model_reason(choice: CategoryChoice, words: list[str]) -> Reason:
    evidence = f"{choice.category} p={choice.confidence:.2f}"
    if words:
        evidence += ": " + ", ".join(words)
    return Reason("model", evidence)


def decide(
    item: Analysed,
    choice: CategoryChoice,
    reasons: list[Reason],
    *,
    version: str,
    thresholds: Thresholds,
    top_words: list[str] | None,
) -> Decision:
    """Settle the level and assemble the reasons: the category's first, then the level's."""
    original = item.normalised.original
    negative = choice.category in ("pqr", "insult", "high_level")
    level, level_reasons = choose_level(
        choice.category,
        item.signals,
        original,
        followers=item.followers,
        likes=item.likes,
        shares=item.shares,
        is_troll=item.is_troll,
        overdue=item.overdue,
        ripple=item.ripple if negative else None,
        thresholds=thresholds,
    )
    if not reasons:
        if choice.model_decided:
            reasons.append(_model_reason(choice, top_words or []))
        else:
            reasons.append(Reason("model", _no_judgement_evidence(item)))
    for reason in level_reasons:
        if reason not in reasons:
            reasons.append(reason)
    return Decision(
        category=choice.category,
        level=level,
        confidence=round(min(max(choice.confidence, 0.0), 1.0), 3),
        reasons=tuple(reasons),
        model_version=version,
        lang=item.lang,
    )


def _no_judgement_evidence(item: Analysed) -> str:
    if not item.has_words:
        return "no words to judge"
    return f"unsupported language: {item.lang}"


def classify(
    comments: Sequence[CommentInput],
    *,
    thresholds: Thresholds = Thresholds(),
    model: Model | None = None,
) -> list[Decision]:
    """One decision per comment, in the order given; `model=None` uses the shipped model."""
    model = model if model is not None else default_model()
    # A batch allocates tens of thousands of small objects and no reference cycles; letting
    # the cyclic collector walk them all repeatedly costs a fifth of the time. Paused only
    # for the batch, and only if it was running.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _classify(comments, thresholds, model)
    finally:
        if collecting:
            gc.enable()


def _classify(
    comments: Sequence[CommentInput], thresholds: Thresholds, model: Model
) -> list[Decision]:
    items = [analyse_comment(comment) for comment in comments]
    if not items:
        return []
    probabilities, hashed = model.predict([item.prepared for item in items])
    rows = probabilities.tolist()  # Python floats: cheaper than numpy scalars one by one
    choices = [
        choose_category(rows[index], item.signals, has_words=item.has_words, lang=item.lang)
        for index, item in enumerate(items)
    ]
    reasons = [
        category_reasons(choice.category, item.signals, item.normalised.original)
        for choice, item in zip(choices, items, strict=True)
    ]
    wanted = np.array(
        [choice.model_decided and not found for choice, found in zip(choices, reasons, strict=True)]
    )
    classes = np.array([CATEGORIES.index(choice.category) for choice in choices])
    top_words = model.top_words(hashed, [item.prepared.text for item in items], classes, wanted)
    return [
        decide(
            item,
            choices[index],
            reasons[index],
            version=model.version,
            thresholds=thresholds,
            top_words=top_words.get(index),
        )
        for index, item in enumerate(items)
    ]
