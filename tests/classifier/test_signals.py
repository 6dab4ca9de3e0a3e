"""Lexicon signals: what fires, with which words, and what must not fire."""

import pytest

from classifier import detect_signals
from classifier.normalise import normalise
from classifier.signals import analyse


def fired(text: str) -> dict[str, str]:
    return {reason.signal: reason.evidence for reason in detect_signals(text)}


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Ya puse la queja en PROFECO por el cobro", "authority_mention"),
        ("Filed a complaint with the FTC about the hidden fees", "authority_mention"),
        ("mi abogado ya prepara la demanda", "authority_mention"),
        ("Periodistas de @NoticiasYa miren esto", "media_mention"),
        ("going to make this go viral until they answer", "media_mention"),
        ("Toda mi familia con intoxicación después del pollo", "health_safety"),
        ("the charger caught fire on my nightstand", "health_safety"),
        ("Se filtraron mis datos personales", "fraud_fact"),
        ("that's discrimination, plain and simple", "fraud_fact"),
        ("No soy el único, somos cientos", "collective"),
        ("Don't buy anything from them #BoycottUrbanThreads", "collective"),
        ("lo voy a esperar a la salida y le rompo la cara", "violence_threat"),
        ("I know where your office is. I'll burn it down", "violence_threat"),
        ("si no lo arreglan me cambio a la competencia", "churn_threat"),
        ("never buying from you again", "churn_threat"),
        ("ya es la tercera vez que reporto lo mismo", "repeated_problem"),
        ("third time calling about the same leak, nobody answers", "repeated_problem"),
        ("malparidos, me siguen cobrando", "insult"),
        ("you absolute donkeys", "insult"),
        ("la concha de la lora, otra vez sin luz", "hostility"),
        ("TRES HORAS SIN LUZ EN MI CASA Y NO CONTESTAN", "hostility"),
        ("GANA $500 DIARIOS DESDE CASA escribeme al DM", "spam"),
        ("gracias, excelente atención", "praise"),
    ],
)
def test_signal_fires_in_both_languages(text, signal):
    assert signal in fired(text)


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("mi abuelo era policía y le encanta el banco", "authority_mention"),
        ("My dad was a police officer for 30 years", "authority_mention"),
        ("Soy abogada y salgo tarde, gracias por la cena", "authority_mention"),
        ("se hizo viral lo rico que está", "media_mention"),
        ("this ad went viral for good reason", "media_mention"),
        ("Estoy enfermo de lo bueno que está el mapa", "health_safety"),
        ("this new season is sick 🔥", "health_safety"),
        ("no puedo creer lo bueno que es", "churn_threat"),
        ("legit no scam, DM me", "fraud_fact"),
        ("me muero de risa con el comercial", "violence_threat"),
    ],
)
def test_innocent_uses_do_not_fire(text, signal):
    assert signal not in fired(text)


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("no voy a denunciar, solo quiero mi plata", "authority_mention"),
        ("I'm not going to sue anyone", "authority_mention"),
        ("no quiero hacer esto viral, solo una respuesta", "media_mention"),
        ("gracias a Dios no hubo heridos", "health_safety"),
    ],
)
def test_negated_triggers_do_not_fire(text, signal):
    assert signal not in fired(text)


def test_conditional_negation_still_fires():
    # "si no me devuelven..." makes the threat conditional, not denied
    assert "authority_mention" in fired("si no me devuelven la plata los voy a denunciar")


def test_evidence_is_written_as_in_the_comment():
    assert fired("Ya puse la queja en la PROFECO")["authority_mention"] == "puse la queja"
    assert fired("l4dr0n3s d3 m13rd4")["insult"] == "l4dr0n3s"
    assert fired("Se lo mando a @NoticiasAhora_ar")["media_mention"] in {
        "Se lo mando a",
        "@NoticiasAhora_ar",
    }


def test_regulator_names_give_their_own_evidence():
    assert fired("reclamo ante INDECOPI")["authority_mention"] in {"reclamo ante", "INDECOPI"}


@pytest.mark.parametrize(
    "text",
    [
        "el ascensor del hotel se desplomo con nosotros adentro",
        "the elevator dropped three floors with my kids inside",
        "nos quedamos atrapados en el ascensor del edificio dos horas con un bebe",
        "mi hijo se trago una pila del control remoto que venden ustedes",
        "my toddler swallowed a magnet that came off the toy",
        "la puerta del bus se abrio en marcha",
        "the driver was texting the whole ride",
        "me dieron el medicamento equivocado en la farmacia",
        "they gave my dad the wrong dose",
        "mi perrita murio un dia despues de la cirugia",
        "my grandmother passed away in your waiting room",
    ],
)
def test_harm_without_trigger_words_is_health_and_safety(text):
    assert "health_safety" in fired(text)


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("perdieron mi maleta y adentro estaba la insulina de mi hijo", "insulina"),
        ("llevamos dos dias sin luz y mi papa usa oxigeno", "oxigeno"),
        ("you lost my bag with my son's insulin inside", "insulin"),
        ("power outage since last night and mom is on an oxygen concentrator", "oxygen"),
    ],
)
def test_a_vital_item_with_its_loss_or_cut_is_a_health_risk(text, item):
    assert fired(text).get("health_safety", "").lower().startswith(item)


@pytest.mark.parametrize(
    "text",
    [
        "tienen insulina en la sucursal del centro?",
        "otra vez sin luz en el barrio",
        "do you deliver oxygen tanks on sundays?",
        "you lost my suitcase, when will it arrive?",
        "el elevador lleva una semana fuera de servicio",
        "se cayo el juego otra vez",
        "se murio la app otra vez",
        "la bateria del celular se murio en 2 horas",
        "jajaja me mori de risa con el comercial",
        "my phone died after 2 hours",
        "i died laughing at the new ad",
    ],
)
def test_the_same_words_without_harm_are_not_health_and_safety(text):
    assert "health_safety" not in fired(text)


@pytest.mark.parametrize(
    "text",
    [
        "your CEO is a fraud and a creep",
        "you are a total fraud lol",
        "el CEO es un farsante",
        "eres un fraude",
    ],
)
def test_a_person_called_a_fraud_is_an_insult_not_a_fraud_fact(text):
    signals = fired(text)
    assert "insult" in signals
    assert "fraud_fact" not in signals


@pytest.mark.parametrize(
    "text",
    [
        "me cobraron tres veces una suscripcion que nunca abri, esto es un fraude",
        "charged my card 3 times for nothing, this is fraud",
    ],
)
def test_fraud_about_the_service_stays_a_fraud_fact(text):
    assert "fraud_fact" in fired(text)


@pytest.mark.parametrize(
    ("text", "signal", "evidence"),
    [
        # A lexicon's alternatives are per word: these were written as "la lora|tu madre" in one
        # slot and never matched until they were split into phrases of their own.
        ("Concha de tu madre, devuelvanme la plata", "profanity", "Concha de tu madre"),
        ("concha de la lora, otra vez sin envio", "profanity", "concha de la lora"),
        ("Me cortaron la luz sin aviso", "deprivation", "cortaron la luz"),
        ("Me cortaron el servicio sin aviso", "deprivation", "cortaron el servicio"),
    ],
)
def test_phrases_with_two_word_alternatives_fire(text, signal, evidence):
    assert analyse(normalise(text)).first(signal) == evidence.lower()
