"""Nothing a client sends makes the classifier raise; junk gets a low-confidence `other`."""

import pytest

from classifier import CATEGORIES, LEVELS, CommentInput, Decision, classify

BAD_TEXTS = {
    "empty": "",
    "whitespace": " \n\t  ",
    "very long": "lorem ipsum dolor sit amet " * 800,
    "emoji only": "😂🔥🤡💀",
    "binary junk": bytes(range(256)).decode("latin-1"),
    "replacement chars": "\ufffd\ufffd\x00\x00",
    "another language": "Bonjour, je voudrais savoir pourquoi ma commande est en retard",
    "another script": "Привет, где мой заказ?",
    "lone url": "https://bit.ly/3xYz",
    "one endless token": "x" * 20_000,
}


def assert_valid(decision: Decision) -> None:
    assert decision.category in CATEGORIES
    assert decision.level in LEVELS
    assert 0.0 <= decision.confidence <= 1.0
    assert decision.reasons
    assert decision.model_version
    assert isinstance(decision.lang, str)
    assert decision.lang


@pytest.mark.parametrize("name", sorted(BAD_TEXTS))
def test_bad_text_gets_a_valid_low_confidence_other(name):
    decision = classify([CommentInput(text=BAD_TEXTS[name])])[0]
    assert_valid(decision)
    assert (decision.category, decision.level) == ("other", "green")
    assert decision.confidence <= 0.3


def test_bad_fields_are_coerced_not_raised():
    odd = CommentInput(
        text=None,
        lang="",
        platform=None,
        author_followers="lots",  # type: ignore[arg-type]
        likes=-5,
        shares=None,
        author_is_troll=None,
        ripple="",
    )  # type: ignore[arg-type]
    assert_valid(classify([odd])[0])


def test_a_batch_mixing_junk_and_claims_keeps_order():
    texts = ["", "Me cobraron dos veces el mismo pedido, me devuelven?", "😂", "asdf"]
    decisions = classify([CommentInput(text=text) for text in texts])
    assert len(decisions) == len(texts)
    assert decisions[1].category == "pqr"
    assert [d.category for d in decisions[::2]] == ["other", "other"]


def test_empty_batch():
    assert classify([]) == []
