"""Small builders for classifier tests: one comment in, one decision out."""

from classifier import CommentInput, Decision, Thresholds, classify


def decide(text: str, **fields) -> Decision:
    thresholds = fields.pop("thresholds", Thresholds())
    return classify([CommentInput(text=text, **fields)], thresholds=thresholds)[0]


def signals_of(decision: Decision) -> set[str]:
    return {reason.signal for reason in decision.reasons}


def evidence_of(decision: Decision, signal: str) -> list[str]:
    return [reason.evidence for reason in decision.reasons if reason.signal == signal]
