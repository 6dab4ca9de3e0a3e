"""`classify`: a batch of comments in, one decision per comment out, in order.

The work is done for the whole batch at once wherever it can be: the lexicon lookups, the
language tallies and the model run in numpy over every comment of the batch, and Python
walks only what is specific to one comment (folding its words, the few lexicon hits it has,
its level rules). The text analysis is memoised by text, because copy-pasted complaints
arrive by the dozen in a ripple. Nothing a client sends can make this raise: text is coerced
and bounded, numbers are coerced, and a comment without words gets a low-confidence `other`.
"""

import gc
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

from classifier.features import Prepared, model_text, signal_text
from classifier.language import UNDETERMINED, languages_from_tallies
from classifier.memo import BoundedCache
from classifier.model import Model, default_model
from classifier.normalise import MAX_CHARS, Normalised, coerce_text, normalise_batch
from classifier.rules import (
    GREEN,
    LOW_CONFIDENCE,
    OTHER,
    CategoryChoice,
    category_reasons,
    choose_category,
    choose_level,
)
from classifier.signals import FEATURE_ONLY, Signals, analyse_batch
from classifier.values import (
    CATEGORIES,
    NEGATIVE_CATEGORIES,
    CommentInput,
    Decision,
    Reason,
    Thresholds,
)
from classifier.watchlists import folded_watchlist

#: An analysis weighs about 3 KB. What repeats is recent (a copy-pasted wave, a batch sent
#: again), so a few thousand texts serve intake; 50,000 held 150 MB in every web worker and
#: grew each by half in the 10-minute soak (bench/soak.py).
_TEXT_CACHE_LIMIT = 2_000
_CATEGORY_INDEX = {category: index for index, category in enumerate(CATEGORIES)}


class TextAnalysis(NamedTuple):
    """Everything about a comment that depends on its text alone (memoised by text)."""

    normalised: Normalised
    signals: Signals
    lang: str
    has_words: bool
    prepared: Prepared  # what the model reads when the author is not flagged as a troll


_text_cache: BoundedCache = BoundedCache(_TEXT_CACHE_LIMIT)
# tuple.__new__ skips the NamedTuples' Python-level constructors in the per-comment loops
_new_tuple = tuple.__new__


def _count(value: object) -> int:
    if type(value) is int:
        return value if value > 0 else 0
    try:
        return max(int(value), 0)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return 0


def analyse_texts(texts: Sequence[str]) -> list[TextAnalysis]:
    """The analysis of each text, computing the unseen ones together as one batch."""
    cache = _text_cache
    # Read into a local dict first: another thread may clear the shared cache meanwhile.
    known: dict[str, TextAnalysis] = {}
    unseen = []
    for text in dict.fromkeys(texts):
        analysis = cache.get(text)
        if analysis is None:
            unseen.append(text)
        else:
            known[text] = analysis
    if unseen:
        fresh = dict(zip(unseen, _analyse_unseen(unseen), strict=True))
        known.update(fresh)
        cache.keep_all(fresh)
    return list(map(known.__getitem__, texts))


def _analyse_unseen(texts: Sequence[str]) -> list[TextAnalysis]:
    normalised = normalise_batch(texts)
    batch = analyse_batch(normalised)
    langs, evidence = languages_from_tallies(batch.tallies, batch.words)
    analyses = []
    for item, signals, lang, supported_by in zip(
        normalised, batch.signals, langs, evidence.tolist(), strict=True
    ):
        # Something to judge: a function word of some language, or a lexicon signal.
        has_words = lang != UNDETERMINED and (supported_by > 0 or _judgeable_signals(signals))
        fired = signals.fired
        prepared = _new_tuple(
            Prepared,
            (model_text(item.folded, fired), signal_text(fired, signals.negated, False)),
        )
        analyses.append(
            _new_tuple(
                TextAnalysis,
                (item, signals, lang if has_words else UNDETERMINED, has_words, prepared),
            )
        )
    return analyses


def _watched(analysis: TextAnalysis, watchlist: dict[str, str]) -> TextAnalysis:
    """The analysis with the watched @handles the comment tags added as signals.

    Applied after the text memo, which is shared by every brand: watchlists differ by brand.
    """
    if "@" not in analysis.normalised.folded:
        return analysis
    tagged = [
        (token, watchlist[token])
        for token in analysis.normalised.tokens
        if token[:1] == "@" and token in watchlist
    ]
    if not tagged:
        return analysis
    fired = {signal: list(phrases) for signal, phrases in analysis.signals.fired.items()}
    for handle, signal in tagged:
        phrases = fired.setdefault(signal, [])
        if handle not in phrases:
            phrases.append(handle)
    signals = Signals(fired, frozenset(analysis.signals.negated - fired.keys()))
    prepared = Prepared(
        model_text(analysis.normalised.folded, fired),
        signal_text(fired, signals.negated, False),
    )
    return analysis._replace(signals=signals, prepared=prepared, has_words=True)


def clear_text_cache() -> None:
    """Forget memoised texts (benchmarks use it to measure unseen comments honestly)."""
    _text_cache.clear()


def _judgeable_signals(signals: Signals) -> bool:
    """Any lexicon signal made of words (a lone "?" in binary junk does not count)."""
    return any(
        signal not in FEATURE_ONLY or any(phrase[:1].isalpha() for phrase in phrases)
        for signal, phrases in signals.fired.items()
    )


def _prepared(analysis: TextAnalysis, is_troll: bool) -> Prepared:
    if not is_troll:
        return analysis.prepared
    signals = analysis.signals
    return Prepared(analysis.prepared.text, signal_text(signals.fired, signals.negated, True))


def prepare_comments(comments: Sequence[CommentInput]) -> list[Prepared]:
    """What the model reads of each comment: the same features in training and in use."""
    texts = _texts_of(comments)
    return [
        _prepared(analysis, bool(getattr(comment, "author_is_troll", False)))
        for analysis, comment in zip(analyse_texts(texts), comments, strict=True)
    ]


def _texts_of(comments: Sequence[CommentInput]) -> list[str]:
    """Each comment's text, coerced; plain strings of ordinary length are taken as they are."""
    texts = [getattr(comment, "text", "") for comment in comments]
    return [
        text if type(text) is str and len(text) <= MAX_CHARS else coerce_text(text)
        for text in texts
    ]


def _given_lang(comment: CommentInput, detected: str) -> str:
    given = getattr(comment, "lang", None)
    if given is None:
        return detected
    return given.strip().lower()[:8] if isinstance(given, str) and given.strip() else detected


def _model_reason(choice: CategoryChoice, words: list[str]) -> Reason:
    evidence = f"{choice.category} p={choice.confidence:.2f}"
    if words:
        evidence += ": " + ", ".join(words)
    return Reason("model", evidence)


class Circumstances(NamedTuple):
    """What the desk knows about a comment besides its text: reach, author, ripple."""

    followers: int
    likes: int
    shares: int
    is_troll: bool
    overdue: bool
    ripple: str | None


def _circumstances(comment: CommentInput) -> Circumstances:
    if type(comment) is CommentInput:
        # The usual case, read directly; the values are coerced all the same.
        followers, likes, shares = comment.author_followers, comment.likes, comment.shares
        ripple = comment.ripple
        return _new_tuple(
            Circumstances,
            (
                followers if type(followers) is int and followers >= 0 else _count(followers),
                likes if type(likes) is int and likes >= 0 else _count(likes),
                shares if type(shares) is int and shares >= 0 else _count(shares),
                comment.author_is_troll is True or bool(comment.author_is_troll),
                comment.author_has_overdue_case is True or bool(comment.author_has_overdue_case),
                str(ripple)[:500] if ripple else None,
            ),
        )
    ripple = getattr(comment, "ripple", None)
    return Circumstances(
        _count(getattr(comment, "author_followers", 0)),
        _count(getattr(comment, "likes", 0)),
        _count(getattr(comment, "shares", 0)),
        bool(getattr(comment, "author_is_troll", False)),
        bool(getattr(comment, "author_has_overdue_case", False)),
        str(ripple)[:500] if ripple else None,
    )


def decide(
    analysis: TextAnalysis,
    lang: str,
    around: Circumstances,
    choice: CategoryChoice,
    reasons: list[Reason],
    version: str,
    thresholds: Thresholds,
    top_words: list[str] | None,
) -> Decision:
    """Settle the level and assemble the reasons: the category's first, then the level's."""
    category = choice.category
    level_reasons: Sequence[Reason]
    if category == OTHER:
        level, level_reasons = GREEN, ()  # `other` is always green (the taxonomy)
    else:
        level, level_reasons = choose_level(
            category,
            analysis.signals,
            analysis.normalised.original,
            followers=around.followers,
            likes=around.likes,
            shares=around.shares,
            is_troll=around.is_troll,
            overdue=around.overdue,
            ripple=around.ripple if category in NEGATIVE_CATEGORIES else None,
            thresholds=thresholds,
        )
    if not reasons:
        if choice.model_decided:
            reasons.append(_model_reason(choice, top_words or []))
        else:
            reasons.append(Reason("model", _no_judgement_evidence(analysis.has_words, lang)))
    for reason in level_reasons:
        if reason not in reasons:
            reasons.append(reason)
    confidence = choice.confidence
    return Decision(
        category,
        level,
        round(1.0 if confidence > 1.0 else (confidence if confidence > 0.0 else 0.0), 3),
        tuple(reasons),
        version,
        lang,
        is_uncertain(choice, thresholds),
    )


def is_uncertain(choice: CategoryChoice, thresholds: Thresholds) -> bool:
    """Low confidence where the model chose, or nothing to judge at all.

    A rule's decision (a regulator named, a threat) is not uncertain: the taxonomy settles it.
    """
    if not choice.model_decided:
        return choice.confidence <= LOW_CONFIDENCE
    return choice.confidence < thresholds.uncertain_below


def _no_judgement_evidence(has_words: bool, lang: str) -> str:
    if not has_words:
        return "no words to judge"
    return f"unsupported language: {lang}"


def classify(
    comments: Sequence[CommentInput],
    *,
    thresholds: Thresholds = Thresholds(),
    model: Model | None = None,
    watchlist: Mapping[str, str] | None = None,
) -> list[Decision]:
    """One decision per comment, in the order given; `model=None` uses the shipped model.

    `watchlist` is the brand's handle -> kind mapping (`classifier.watchlists`): tagging one
    of those handles is a media or authority signal, with the handle as its evidence.
    """
    model = model if model is not None else default_model()
    # A batch allocates tens of thousands of small objects and no reference cycles; letting
    # the cyclic collector walk them all repeatedly costs a fifth of the time. Paused only
    # for the batch, and only if it was running.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _classify(comments, thresholds, model, folded_watchlist(watchlist))
    finally:
        if collecting:
            gc.enable()


def _classify(
    comments: Sequence[CommentInput],
    thresholds: Thresholds,
    model: Model,
    watchlist: dict[str, str],
) -> list[Decision]:
    if not comments:
        return []
    analyses = analyse_texts(_texts_of(comments))
    if watchlist:
        analyses = [_watched(analysis, watchlist) for analysis in analyses]
    around = list(map(_circumstances, comments))
    langs = [
        _given_lang(comment, analysis.lang)
        for comment, analysis in zip(comments, analyses, strict=True)
    ]
    prepared = [
        _prepared(analysis, circumstances.is_troll) if circumstances.is_troll else analysis.prepared
        for analysis, circumstances in zip(analyses, around, strict=True)
    ]
    probabilities, hashed = model.predict(prepared)
    rows = probabilities.tolist()  # Python floats: cheaper than numpy scalars one by one
    best = probabilities.argmax(axis=1).tolist()
    version = model.version
    decisions: list[Decision | None] = [None] * len(analyses)
    # Decisions the model must explain wait for the batch's top words; the others are
    # settled in this one pass.
    unexplained: list[tuple[int, CategoryChoice]] = []
    for index, (analysis, lang, row, top) in enumerate(
        zip(analyses, langs, rows, best, strict=True)
    ):
        signals = analysis.signals
        choice = choose_category(row, signals, has_words=analysis.has_words, lang=lang, best=top)
        found = (
            category_reasons(choice.category, signals, analysis.normalised.original)
            if signals.fired
            else []
        )
        if choice.model_decided and not found:
            unexplained.append((index, choice))
            continue
        decisions[index] = decide(
            analysis,
            lang,
            around[index],
            choice,
            found,
            version,
            thresholds,
            None,
        )
    if unexplained:
        top_words = _top_words(model, hashed, prepared, unexplained)
        for index, choice in unexplained:
            decisions[index] = decide(
                analyses[index],
                langs[index],
                around[index],
                choice,
                [],
                version,
                thresholds,
                top_words.get(index),
            )
    return decisions  # type: ignore[return-value]


def _top_words(
    model: Model, hashed, prepared: list[Prepared], unexplained: list[tuple[int, CategoryChoice]]
) -> dict[int, list[str]]:
    """The words that weighed most towards each unexplained comment's category."""
    wanted = np.zeros(len(prepared), dtype=np.bool_)
    classes = np.zeros(len(prepared), dtype=np.int64)
    indices = [index for index, _ in unexplained]
    wanted[indices] = True
    classes[indices] = [_CATEGORY_INDEX[choice.category] for _, choice in unexplained]
    return model.top_words(hashed, [item.text for item in prepared], classes, wanted)
