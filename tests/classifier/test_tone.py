"""The tone check of a draft reply: each warning in both languages, and what must not warn."""

import pytest

from classifier.tone import KINDS, ToneWarning, tone_check


def kinds(text: str, **options) -> dict[str, str]:
    return {warning.kind: warning.evidence for warning in tone_check(text, **options)}


@pytest.mark.parametrize(
    ("text", "kind", "evidence"),
    [
        ("Son unos idiotas si creen que les vamos a devolver algo", "insult", "idiotas"),
        ("You people are morons, read the email", "insult", "morons"),
        ("Que mierda de pregunta, revise la app", "profanity", "mierda"),
        ("What the fuck do you want us to do", "profanity", "fuck"),
        ("Le vamos a romper la cara si vuelve a escribir", "threat", "romper la cara"),
        ("Ya veran lo que les pasa por quejarse", "threat", "Ya veran"),
        ("Deje de escribir!!!", "anger", "!!!"),
        ("STOP WRITING TO US ABOUT THIS ORDER", "shouting", "STOP WRITING TO US ABOUT THIS"),
        ("jajaja que queja tan tonta", "mockery", "jaja"),
        ("Congrats on finally reading the instructions", "mockery", "Congrats on"),
        ("Como ya le dijimos tres veces, el envio sale manana", "sarcasm", "Como ya le dijimos"),
        ("As we already told you, the refund takes 5 days", "sarcasm", "As we already told"),
        ("Eso le pasa por no leer las condiciones", "blame", "Eso le pasa por"),
        ("That is user error, the app works fine", "blame", "user error"),
        ("Usted se equivoco de direccion al pedir", "blame", "Usted se equivoco"),
        ("You should have checked the size chart", "blame", "You should have checked"),
        ("Ustedes no leyeron las condiciones del plan", "blame", "Ustedes no leyeron"),
        ("Eso es culpa suya por no actualizar", "blame", "es culpa suya"),
        ("Fue error del cliente al capturar la tarjeta", "blame", "error del cliente"),
        ("Eso no es culpa nuestra, revise su correo", "blame", "no es culpa nuestra"),
        ("Ustedes debieron leer el contrato", "blame", "debieron leer"),
        ("Lean las condiciones antes de escribir", "blame", "Lean las condiciones"),
        ("ESO NO ES CULPA NUESTRA, revise su correo", "shouting", "ESO NO ES CULPA NUESTRA"),
    ],
)
def test_each_warning_fires_with_the_words_that_raised_it(text, kind, evidence):
    assert kinds(text)[kind].lower() == evidence.lower()


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("Lamentamos lo ocurrido, ya revisamos su cobro y le devolvemos el dinero hoy.", True),
        ("We're sorry about the delay, your order ships today.", True),
        ("¡Claro que sí! Con gusto revisamos su caso, ¿nos comparte su número de pedido?", False),
        ("Gracias por escribirnos, ya escalamos su caso al área técnica.", False),
        ("Thanks for your patience, a technician will call you this afternoon.", False),
        ("Lamentamos lo ocurrido: la PROFECO y el SAT ya tienen su folio.", True),
    ],
)
def test_a_courteous_reply_raises_nothing(text, complaint):
    assert tone_check(text, replying_to_complaint=complaint) == []


@pytest.mark.parametrize(
    "text",
    [
        "No es su culpa, el error fue nuestro. Disculpe las molestias.",
        "It is not your fault at all, sorry for the trouble.",
    ],
)
def test_a_negated_blame_is_no_blame(text):
    assert "blame" not in kinds(text, replying_to_complaint=True)


@pytest.mark.parametrize(
    ("text", "lang"),
    [("Su pedido sale mañana por la mañana.", "es"), ("Your order ships tomorrow.", "en")],
)
def test_a_reply_to_a_complaint_without_an_apology_is_warned(text, lang):
    assert kinds(text, lang=lang, replying_to_complaint=True) == {"missing_apology": ""}
    assert tone_check(text, lang=lang) == []


def test_a_refused_apology_is_no_apology():
    assert "missing_apology" in kinds("No lo sentimos, son las reglas.", replying_to_complaint=True)


def test_warnings_come_once_per_kind_in_a_stable_order():
    warnings = tone_check(
        "COMO YA LE DIJIMOS, USTED NO LEYO NADA, IDIOTA!!!", replying_to_complaint=True
    )
    found = [warning.kind for warning in warnings]
    assert found == sorted(found, key=KINDS.index)
    assert len(found) == len(set(found))
    assert {"insult", "anger", "shouting", "sarcasm", "blame", "missing_apology"} <= set(found)
    assert all(isinstance(warning, ToneWarning) for warning in warnings)


@pytest.mark.parametrize("junk", ["", "   ", "😡😡", b"\xff\xfe", "a" * 20_000])
def test_any_draft_gets_a_list_without_raising(junk):
    assert isinstance(tone_check(junk, replying_to_complaint=True), list)


# --- resolutive: a reply to a complaint offers a solution, a next step or a real question ---

SOLVES_NOTHING = {
    "es": [
        "Lamentamos lo ocurrido.",
        "Sentimos mucho las molestias ocasionadas.",
        "Disculpa, entendemos tu frustración.",
        "Lamentamos que tu experiencia no haya sido la esperada.",
        "Lo sentimos, valoramos mucho tus comentarios.",
        "Disculpe las molestias, su opinión es muy importante para nosotros.",
        "Lamentamos lo sucedido, estaremos atentos.",
        "Perdón por el mal rato, trabajamos cada día para mejorar.",
        "Lamentamos no poder devolver el dinero.",
        "Sentimos lo ocurrido. ¿Qué más quiere que hagamos?",
        "Lamentamos mucho lo ocurrido; no vamos a cambiar la política.",
    ],
    "en": [
        "Sorry for the inconvenience.",
        "We apologize for any trouble this may have caused.",
        "Sorry to hear that, your feedback matters to us.",
        "We regret that your experience was not what you expected.",
        "Apologies, we understand your frustration.",
        "Sorry about that. We always strive to do better.",
        "We are sorry, but that is our policy.",
        "Sorry. What else do you want us to do?",
        "We're sorry, we cannot refund this order.",
        "Sorry you feel that way, thanks for the feedback.",
    ],
}
MOVES_THE_CASE = {
    "es": [
        "Ya emitimos el reembolso; lo verás en 3 días hábiles.",
        "Lamentamos lo ocurrido, ¿nos compartes tu número de pedido por DM?",
        "Disculpa la demora: tu pedido llega mañana antes de las 14 h.",
        "Lo sentimos, un técnico te visitará el jueves.",
        "Lamentamos el cobro doble; ya lo anulamos y verás el saldo corregido.",
        "Perdón por la espera. Estamos revisando tu caso con facturación.",
        "Sentimos la molestia: reinicia la app e intenta de nuevo.",
        "Lamentamos lo ocurrido. Escríbenos por privado con tu correo y lo resolvemos.",
        "Disculpa, tu número de caso es 4521 y te escribiremos hoy mismo.",
        "Lamentamos la falla, ¿desde qué fecha no te funciona la tarjeta?",
    ],
    "en": [
        "Can you DM us your order number so we can check it?",
        "Sorry for the delay, we've refunded the charge: you'll see it in 3 to 5 business days.",
        "We apologize; a technician will call you tomorrow morning.",
        "Sorry about that! Please restart the app, we fixed the bug last night.",
        "Sorry for the trouble, your replacement ships today.",
        "We're sorry. We are looking into your account and will reply by Friday.",
        "Apologies, your refund has been issued.",
        "Sorry for the mix-up, what date did you place the order?",
        "We apologize, your case number is 88213 and our team will email you tonight.",
        "Sorry! Could you tell us which branch you visited?",
    ],
}


@pytest.mark.parametrize(
    ("lang", "text"), [(lang, text) for lang, texts in SOLVES_NOTHING.items() for text in texts]
)
def test_a_reply_that_solves_nothing_is_warned(lang, text):
    assert kinds(text, lang=lang, replying_to_complaint=True) == {"no_next_step": ""}


@pytest.mark.parametrize(
    ("lang", "text"), [(lang, text) for lang, texts in MOVES_THE_CASE.items() for text in texts]
)
def test_a_reply_with_a_solution_a_next_step_or_a_question_is_not(lang, text):
    assert "no_next_step" not in kinds(text, lang=lang, replying_to_complaint=True)


@pytest.mark.parametrize("text", ["¡Gracias por tus palabras, Ana!", "Thank you, Sam, so kind!"])
def test_thanking_for_praise_needs_no_next_step(text):
    assert tone_check(text, replying_to_complaint=False) == []
