"""`classify`: a batch of comments in, one decision per comment out, in order.

The per-comment work (normalising, lexicons, language) is plain Python and memoised by text,
because copy-pasted complaints arrive by the dozen in a ripple; the model is applied to the
whole batch at once in numpy. Nothing a client sends can make this raise: text is coerced and
bounded, numbers are coerced, and a comment without words gets a low-confidence `other`.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from comments.classifier.features import Prepared, prepare
from comments.classifier.language import UNDETERMINED, detect_language
from comments.classifier.model import Model, default_model
from comments.classifier.normalise import Normalised, coerce_text, normalise
from comments.classifier.rules import (
    CategoryChoice,
    category_reasons,
    choose_category,
    choose_level,
)
from comments.classifier.signals import Signals, analyse
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
        tokens = normalised.tokens
        has_words = any(token[0].isalpha() and not token.startswith("_") for token in tokens)
        lang = detect_language(tokens) if has_words else UNDETERMINED
        cached = _text_cache[text] = (normalised, analyse(normalised), lang, has_words)
    return cached


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
        prepared=prepare(normalised.tokens, signals.fired, signals.negated, is_troll),
        followers=_count(getattr(comment, "author_followers", 0)),
        likes=_count(getattr(comment, "likes", 0)),
        shares=_count(getattr(comment, "shares", 0)),
        is_troll=is_troll,
        overdue=bool(getattr(comment, "author_has_overdue_case", False)),
        ripple=str(ripple)[:500] if ripple else None,
    )


def _model_reason(model: Model, item: Analysed, choice: CategoryChoice) -> Reason:
    index = CATEGORIES.index(choice.category)
    words = model.top_terms(item.prepared, index)
    evidence = f"{choice.category} p={choice.confidence:.2f}"
    if words:
        evidence += ": " + ", ".join(words)
    return Reason("model", evidence)


def decide(item: Analysed, probabilities, model: Model, thresholds: Thresholds) -> Decision:
    choice = choose_category(probabilities, item.signals, has_words=item.has_words,
                             lang=item.lang)
    original = item.normalised.original
    negative = choice.category in ("pqr", "insult", "high_level")
    level, level_reasons = choose_level(
        choice.category, item.signals, original, followers=item.followers, likes=item.likes,
        shares=item.shares, is_troll=item.is_troll, overdue=item.overdue,
        ripple=item.ripple if negative else None, thresholds=thresholds)
    reasons = category_reasons(choice.category, item.signals, original)
    if choice.model_decided and not reasons:
        reasons.append(_model_reason(model, item, choice))
    elif not choice.model_decided and not reasons:
        reasons.append(Reason("model", _no_judgement_evidence(item)))
    seen = set(reasons)
    reasons.extend(reason for reason in level_reasons if reason not in seen)
    return Decision(
        category=choice.category,
        level=level,
        confidence=round(min(max(choice.confidence, 0.0), 1.0), 3),
        reasons=tuple(reasons),
        model_version=model.version,
        lang=item.lang,
    )


def _no_judgement_evidence(item: Analysed) -> str:
    if not item.has_words:
        return "no words to judge"
    return f"unsupported language: {item.lang}"


def classify(comments: Sequence[CommentInput], *, thresholds: Thresholds = Thresholds(),
             model: Model | None = None) -> list[Decision]:
    """One decision per comment, in the order given; `model=None` uses the shipped model."""
    model = model if model is not None else default_model()
    items = [analyse_comment(comment) for comment in comments]
    if not items:
        return []
    probabilities = model.predict_proba([item.prepared for item in items])
    return [decide(item, probabilities[index], model, thresholds)
            for index, item in enumerate(items)]
