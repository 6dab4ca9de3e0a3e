"""The reply box's matching: the classifier's folding and stems, overlap of content words."""

from replies import matching

REFUND = ("¿Cuánto tarda la devolución de una compra?", ["reembolso", "devolución"])
LOST_CARD = ("¿Cómo bloqueo mi tarjeta si la pierdo?", ["robo", "bloqueo"])
OPENING_HOURS = ("¿A qué hora abre la sucursal los domingos?", ["horario"])
ENTRIES = {"refund": REFUND, "lost_card": LOST_CARD, "hours": OPENING_HOURS}


def _ranked(text: str) -> list[str]:
    said = matching.terms_of(text)
    return [
        r.item
        for r in matching.rank(
            said,
            ((name, *matching.terms_of_entry(q, tags)) for name, (q, tags) in ENTRIES.items()),
            limit=5,
        )
    ]


def test_a_misspelt_plural_comment_without_accents_finds_its_entry_first():
    # "devolusion" (misspelt), "compras" (plural), "tardan" (another form of "tarda").
    assert _ranked("hace 10 dias pedi la devolusion de mis compras y nada, cuanto tardan??") == [
        "refund"
    ]


def test_shouting_and_elongation_are_folded_like_the_classifier_does():
    assert _ranked("PERDIII MI TARJETAAA como la BLOQUEO???")[0] == "lost_card"


def test_a_tag_is_another_name_for_the_question():
    assert _ranked("necesito saber el horario del domingo")[0] == "hours"


def test_a_comment_about_nothing_in_the_faq_gets_no_suggestion():
    assert _ranked("me encanta el nuevo logo, muy bonito") == []


def test_the_score_says_which_words_matched():
    said = matching.terms_of("se me perdio la tarjeta, como la bloqueo")
    found = matching.match(said, *matching.terms_of_entry(*LOST_CARD))
    assert found.score >= 0.5
    assert set(found.words) == {"bloqueo", "tarjeta"}


def test_questions_are_told_from_statements():
    assert matching.is_question("como activo las compras online")
    assert matching.is_question("me dicen si ya llego mi pedido?")
    assert not matching.is_question("me llego el pedido, gracias")
