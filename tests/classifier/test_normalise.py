"""Social-media spelling folds to the same tokens the lexicons are written in."""

import pytest

from classifier.normalise import MAX_CHARS, normalise


@pytest.mark.parametrize(
    ("written", "expected_token"),
    [
        ("PÉSIMO servicio", "pesimo"),  # case and accents
        ("pesimoooo el servicio", "pesimo"),  # repeated letters
        ("l4dr0n3s @FibraRed", "ladrones"),  # leetspeak
        ("1nut1l3s todos", "inutiles"),
        ("son unos l a d r o n e s", "ladrones"),  # spacing tricks
        ("h.i.j.u.e.p.u.t.a.s", "hijueputas"),
        ("f*cking hell", "fucking"),  # censored profanity
        ("Señal caída", "senal"),
    ],
)
def test_disguised_words_fold_to_plain_tokens(written, expected_token):
    assert expected_token in normalise(written).tokens


def test_prices_ids_and_units_are_not_read_as_leetspeak():
    tokens = normalise("pedido MN-558120, plan de 500mb, consola ps5").tokens
    assert "500mb" in tokens
    assert "ps5" in tokens
    assert "558120" in tokens


def test_mentions_and_hashtags_are_kept_as_tokens():
    tokens = normalise("Hola @BancoAurora #BancoAuroraCaido").tokens
    assert "@bancoaurora" in tokens
    assert "#bancoauroracaido" in tokens


def test_urls_become_one_placeholder():
    tokens = normalise("mira esto https://example.com/x?y=1 y bit.ly/abc").tokens
    assert tokens.count("_url_") == 2
    assert "example" not in tokens


def test_emoji_become_class_tokens():
    tokens = normalise("otra vez 😡🤬 y 🤡").tokens
    assert tokens.count("_emoangry_") == 2
    assert "_emoclown_" in tokens


def test_english_contractions_expose_the_negation():
    assert normalise("I won't sue, I can't").tokens[:4] == ("i", "will", "not", "sue")
    assert normalise("I'll smash it").tokens == ("i", "will", "smash", "it")


def test_shouting_needs_mostly_capitals():
    assert normalise("TRES HORAS SIN LUZ Y NO CONTESTAN").shouting
    assert normalise("Ya puse la queja en PROFECO por el cobro").shouting is None


def test_exclamation_runs_are_kept_as_written():
    assert normalise("no llega!!!!").exclamations == "!!!!"
    assert normalise("gracias!!").exclamations is None


def test_long_text_is_bounded():
    assert len(normalise("a" * 20_000).original) == MAX_CHARS


@pytest.mark.parametrize("junk", [None, b"\xff\xfe\x00binary", 12345, "\x00\x01\x02"])
def test_anything_becomes_a_string(junk):
    assert isinstance(normalise(junk).folded, str)
