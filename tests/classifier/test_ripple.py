"""Ripple detection: paraphrased complaints from many authors within the hour form one cluster.

Pure module, no database: every comment is a `RippleComment` built here. Times are offsets in
minutes from a fixed noon; authors are handles.
"""

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from classifier.ripple import (
    MIN_SHARED_STEMS,
    SUBJECT_KEY_CHARS,
    RippleComment,
    find_ripples,
    subject_in_ripple,
    subject_keys,
    subject_topic,
)
from classifier.signature import ripple_signature, topic_of
from tests.classifier.ripple_waves import UNRELATED as WAVE_UNRELATED
from tests.classifier.ripple_waves import WAVES

NOON = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)

DOUBLE_CHARGE_ES = [
    "me cobraron dos veces en la tarjeta @BancoAurora",
    "doble cobro en mi tarjeta!! @BancoAurora expliquen",
    "otra vez el cargo duplicado, me cobraron doble 😡",
    "@BancoAurora me hicieron un cargo doble, ya basta",
    "COBRO DUPLICADO en la compra de ayer, q onda",
    "me cobraronnn 2 veces el mismo pago q onda @BancoAurora",
    "alguien mas con el cobro doble de hoy?? #BancoAurora",
    "m3 c0br4r0n d0bl3 la cuota, l4dr0n3s",
    "nos estan cobrando dos veces la misma compra, revisen",
    "pague una vez y me descontaron dos veces de la cuenta",
    "cargo repetido en mi tarjeta de credito, que pasa @BancoAurora",
    "x2 el cobro este mes?? me cobraron doble otra vez #fail",
]
DOUBLE_CHARGE_EN = [
    "charged twice for the same order @NorthBank",
    "double charge on my card again smh",
    "got billed 2 times for one purchase wtf",
    "@NorthBank why is there a duplicate charge on my account",
    "u charged me twiceeee",
    "DOUBLE CHARGED AGAIN!!! @NorthBank",
    "my card was charged two times for one coffee",
    "anyone else getting double charged today?",
    "duplicated transaction on my statement, fix it",
    "paid once, charged twice. classic @NorthBank",
    "they charged my card twice n no one answers 🤬",
    "d0ubl3 ch4rg3 on my debit card rn",
]
APP_DOWN_ES = [
    "la app no abre desde la mañana",
    "la aplicacion se cae al iniciar sesion",
    "no me deja entrar a la app @BancoAurora",
    "app caida otra vez??",
    "la app se cierra sola cada vez que la abro",
    "no puedo entrar a la aplicacion, error todo el rato",
    "alguien mas con la app trabada? #BancoAurora",
    "la app no carga nada 😤",
    "#BancoAurora la app no funciona",
    "se cayo la app justo en quincena",
    "la apl1cac1on no abreee",
]
UNRELATED = [
    "@BancoAurora pesimo servicio, llevo 3 dias sin respuesta",
    "el vuelo de hoy lo cancelaron sin avisar @VuelaSur",
    "mi pedido no ha llegado y ya van 2 horas @RapiMenu",
    "sin señal desde ayer en todo el barrio @MovilPlus_mx",
    "me bloquearon la tarjeta sin razon",
    "la comida llego fria y cruda",
    "el cajero me trato super mal, grosero",
    "la factura de este mes vino altisima, subieron la tarifa sin avisar",
    "encontre un pelo en la hamburguesa 🤮",
    "la fila en la sucursal es eterna, 2 horas parado",
    "perdieron mi maleta en el vuelo a Lima",
    "no me dejan cancelar el plan y siguen cobrando",
]
#: Unrelated complaints sharing only the brand, mentions and generic complaint words.
GENERIC_ONLY = [
    "@MovilPlus_mx pesimo servicio, no",
    "no puede ser @MovilPlus_mx, servicio pesimo",
    "llevo una semana con @MovilPlus_mx y nada",
    "#MovilPlus el peor servicio del mundo",
    "no no y no, MovilPlus pesimo",
    "pesimo pesimo @MovilPlus_mx 😡😡",
    "MovilPlus nunca responde, llevo horas",
    "@MovilPlus_mx no sirven para nada, pesimo",
    "servicio horrible @MovilPlus_mx, nadie responde",
    "llevo 2 dias esperando @MovilPlus_mx",
    "que verguenza de servicio MovilPlus",
    "@MovilPlus_mx no no no, ya no mas",
]
#: A complaint the concept lexicon does not know, reworded lightly (a copy-paste campaign).
NEW_LOGO = [
    "el nuevo logo de @ModaVera_mx parece hecho en paint",
    "ese logo nuevo parece hecho en paint jajaja",
    "Nuevo logo hecho en Paint?? @ModaVera_mx",
    "el logo nuevo, hecho en paint por un becario",
    "#ModaVera cambien ese logo nuevo de paint",
    "logo nuevo = paint 2005",
    "NUEVO LOGO HECHO EN PAINT 😂😂",
    "quien aprobo el nuevo logo en paint",
    "el nuevo logo parece de paint, que paso",
    "un logo nuevo hecho en paint, en serio?",
    "nuevo logo en paint, devuelvan el anterior diseno",
    "el nuevo logo lo hicieron en paint seguro",
]


def comments(texts, *, start=0, every=3, authors=None, key="c", cluster=None, scopes=None):
    """One comment per text, `every` minutes apart from NOON + `start`, one author each."""
    return [
        RippleComment(
            key=f"{key}{index}",
            author=authors[index] if authors else f"@{key}_author{index}",
            at=NOON + timedelta(minutes=start + every * index),
            signature=ripple_signature(text),
            cluster=cluster,
            scope=scopes[index] if scopes else "",
        )
        for index, text in enumerate(texts)
    ]


def keys(items):
    return {item.key for item in items}


def test_the_briefs_paraphrases_share_one_topic_and_other_complaints_do_not():
    charge = [
        "me cobraron dos veces en la tarjeta",
        "doble cobro en mi tarjeta!!",
        "otra vez el cargo duplicado, me cobraron doble",
        "@Banco me hicieron un cargo doble",
    ]
    app = ["la app no abre", "la aplicacion se cae al iniciar sesion"]
    charge_topics = {topic_of(ripple_signature(text)) for text in charge}
    app_topics = {topic_of(ripple_signature(text)) for text in app}
    assert len(charge_topics) == 1
    assert len(app_topics) == 1
    assert charge_topics.isdisjoint(app_topics)


def test_spanish_paraphrases_from_twelve_authors_form_one_ripple():
    batch = comments(DOUBLE_CHARGE_ES)
    [ripple] = find_ripples(batch, [])
    assert set(ripple.members) == keys(batch)
    assert len(ripple.authors) == 12
    assert ripple.subject == ("~double_charge",)
    assert ripple.reason(41).startswith("cluster #41, 12 authors in 33 min, 12 comments")


def test_english_paraphrases_from_twelve_authors_form_one_ripple():
    batch = comments(DOUBLE_CHARGE_EN)
    [ripple] = find_ripples(batch, [])
    assert set(ripple.members) == keys(batch)
    assert len(ripple.authors) == 12


def test_twelve_unrelated_complaints_do_not_cluster():
    assert find_ripples(comments(UNRELATED), []) == []


def test_overlap_in_generic_words_brand_and_mentions_does_not_cluster():
    assert find_ripples(comments(GENERIC_ONLY), []) == []


def test_nine_paraphrases_stay_under_the_threshold_and_ten_reach_it():
    assert find_ripples(comments(DOUBLE_CHARGE_ES[:9]), []) == []
    [ripple] = find_ripples(comments(DOUBLE_CHARGE_ES[:10]), [])
    assert ripple.size == 10


def test_the_threshold_and_window_are_settings():
    spread = comments(DOUBLE_CHARGE_ES[:5], every=7)  # 5 authors in 28 minutes
    assert find_ripples(spread, [], min_authors=5, window=timedelta(minutes=30))
    assert not find_ripples(spread, [], min_authors=5, window=timedelta(minutes=20))
    assert not find_ripples(spread, [], min_authors=6, window=timedelta(minutes=30))


def test_paraphrases_spread_over_three_hours_are_no_ripple():
    assert find_ripples(comments(DOUBLE_CHARGE_ES, every=15), []) == []


def test_ten_of_them_inside_the_hour_are_a_ripple_and_the_stragglers_stay_out():
    early = comments(DOUBLE_CHARGE_ES[:1], start=-120, key="early")
    inside = comments(DOUBLE_CHARGE_ES[1:11], every=6, key="in")  # 54 minutes
    late = comments(DOUBLE_CHARGE_ES[11:], start=180, key="late")
    [ripple] = find_ripples(inside + late, early)
    assert set(ripple.members) == keys(inside)
    assert ripple.span == timedelta(minutes=54)


def test_twelve_comments_of_one_author_are_no_ripple():
    assert find_ripples(comments(DOUBLE_CHARGE_ES, authors=["@ana"] * 12), []) == []


def test_distinct_authors_count_not_comments():
    authors = [f"@fan{index % 9}" for index in range(12)]  # 12 comments, 9 authors
    assert find_ripples(comments(DOUBLE_CHARGE_ES, authors=authors), []) == []


def test_two_complaints_of_eleven_each_stay_two_ripples_even_with_a_bridging_comment():
    charges = comments(DOUBLE_CHARGE_ES[:11], key="charge")
    apps = comments(APP_DOWN_ES, key="app", every=2)
    bridge = comments(["me cobraron doble y encima la app no abre"], start=10, key="bridge")
    ripples = find_ripples(charges + apps + bridge, [])
    assert len(ripples) == 2
    by_subject = {ripple.subject: set(ripple.members) for ripple in ripples}
    charge_members = by_subject[("~double_charge",)]
    app_members = by_subject[("~app_down",)]
    assert charge_members.isdisjoint(app_members)
    assert keys(charges) <= charge_members
    assert keys(apps) <= app_members
    assert keys(bridge) <= charge_members | app_members


def test_the_same_complaint_at_different_brands_is_no_ripple():
    brands = ["@BancoAurora", "@NorthBank", "@CityNet"] * 4
    assert find_ripples(comments(DOUBLE_CHARGE_ES, scopes=brands), []) == []
    [ripple] = find_ripples(comments(DOUBLE_CHARGE_ES, scopes=["@BancoAurora"] * 12), [])
    assert ripple.scope == "@BancoAurora"


def test_a_batch_joins_stored_comments_of_a_known_ripple():
    stored = comments(DOUBLE_CHARGE_ES[:6], key="stored", cluster="41")
    batch = comments(DOUBLE_CHARGE_ES[6:], start=30, key="new")
    [ripple] = find_ripples(batch, stored)
    assert set(ripple.members) == keys(stored) | keys(batch)
    assert set(ripple.new_members) == keys(batch)
    assert ripple.known_cluster == "41"
    assert ripple.reason().startswith("cluster #41, 12 authors in 45 min")


def test_stored_comments_alone_are_not_reported_again():
    stored = comments(DOUBLE_CHARGE_ES, key="stored")
    batch = comments(UNRELATED[:1], start=40, key="new")
    assert find_ripples(batch, stored) == []


def test_a_copy_paste_campaign_outside_the_lexicon_still_clusters_on_its_words():
    [ripple] = find_ripples(comments(NEW_LOGO), [])
    assert ripple.size == 12
    assert {"log", "nuev", "paint"} <= set(ripple.subject)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😡😡😡",
        "🤡👏👏",
        "https://t.co/xYz123",
        "www.bancoaurora.com/ayuda",
        "!!!!",
        None,
        b"\xff\xfe\x00",
        "@BancoAurora @MovilPlus_mx",
        "12345 678",
    ],
)
def test_text_without_words_gives_an_empty_signature(text):
    assert ripple_signature(text) == ()


def test_comments_without_signature_never_join_or_complete_a_ripple():
    real = comments(DOUBLE_CHARGE_ES[:9], key="real")
    empty = comments(["😡😡😡", "", "https://t.co/x", "!!!", "@BancoAurora"], start=1, key="empty")
    assert find_ripples(real + empty, []) == []
    [ripple] = find_ripples(comments(DOUBLE_CHARGE_ES[:10], key="real") + empty, [])
    assert keys(empty).isdisjoint(ripple.members)


def test_signatures_round_trip_through_json():
    for text in DOUBLE_CHARGE_ES + UNRELATED + NEW_LOGO:
        signature = ripple_signature(text)
        assert tuple(json.loads(json.dumps(signature))) == signature


def test_the_result_does_not_depend_on_input_order():
    batch = comments(DOUBLE_CHARGE_ES[:11], key="charge") + comments(APP_DOWN_ES, key="app")
    batch += comments(UNRELATED, key="other")
    expected = [(ripple.subject, set(ripple.members)) for ripple in find_ripples(batch, [])]
    shuffled = batch[:]
    random.Random(7).shuffle(shuffled)
    assert [(ripple.subject, set(ripple.members)) for ripple in find_ripples(shuffled, [])] == (
        expected
    )


# --- paraphrase waves written for issue 15 (tests/classifier/ripple_waves.py) ---------------


@pytest.mark.parametrize("name", sorted(WAVES))
def test_each_paraphrase_wave_forms_one_ripple_of_at_least_ten_authors(name):
    batch = comments(WAVES[name])
    ripples = find_ripples(batch, [])
    assert len(ripples) == 1
    assert len(ripples[0].authors) >= 10


def test_one_line_of_each_wave_and_other_subjects_form_no_ripple():
    assert find_ripples(comments(WAVE_UNRELATED), []) == []


def test_two_waves_at_the_same_time_stay_two_ripples():
    first, second = WAVES["internet_down"], WAVES["late_delivery"]
    batch = comments(first + second, every=2)
    ripples = find_ripples(batch, [])
    subjects = sorted(ripple.subject for ripple in ripples)
    assert len(ripples) == 2
    assert subjects == [("~internet_down",), ("~late_delivery",)]


# --- subjects: the keys the top complaints count by -------------------------------------------


def test_paraphrases_share_one_subject_key_and_two_complaints_count_for_both():
    keys = {subject_keys(ripple_signature(text)) for text in DOUBLE_CHARGE_ES + DOUBLE_CHARGE_EN}
    assert keys == {("~double_charge",)}
    both = ripple_signature("me cobraron doble y la app no abre")
    assert subject_keys(both) == ("~app_down", "~double_charge")


def test_a_stem_topic_is_a_subject_only_when_a_ripple_could_form_around_it():
    [key] = subject_keys(ripple_signature("la tarjeta nueva llego rota y sucia"))
    assert key == "lleg nuev rot suci tarjet"
    assert subject_topic(key) == topic_of(ripple_signature("tarjeta nueva, rota y sucia llego"))
    assert subject_keys(ripple_signature("pesimo servicio")) == ()
    assert subject_keys(("tarjet",)) == ()  # one stem: how unrelated complaints look alike
    long = tuple(f"#{'x' * 60}{n}" for n in range(8))
    [capped] = subject_keys(long)
    assert len(capped) <= SUBJECT_KEY_CHARS
    assert len(subject_topic(capped)) >= MIN_SHARED_STEMS


def test_a_ripple_is_about_a_subject_it_names_or_would_have_taken_in():
    assert subject_in_ripple("~double_charge", ("~double_charge", "~rude_staff"))
    assert not subject_in_ripple("~app_down", ("~double_charge",))
    assert subject_in_ripple("lleg nuev rot tarjet", ("rot", "tarjet"))
    assert not subject_in_ripple("lleg nuev rot tarjet", ("rot", "sucursal"))
    assert not subject_in_ripple("~app_down", ())
