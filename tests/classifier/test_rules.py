"""Each rule of the taxonomy, in Spanish and English, through `classify`."""

import pytest

from classifier import Thresholds
from tests.classifier.helpers import decide, evidence_of, signals_of

SMALL = {"author_followers": 300, "likes": 2, "shares": 0}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Hola @BancoAurora, como activo las compras online en la tarjeta de debito?", "pqr"),
        ("@NorthBank is there any branch near the airport that opens on sundays?", "pqr"),
        ("@BancoAurora sois una panda de gilipollas, no se como os aguanta nadie", "insult"),
        ("@PlayForge devs are braindead morons", "insult"),
        (
            "Ya puse la queja en PROFECO, @MovilPlus me cobra un seguro que nunca contrate",
            "high_level",
        ),
        ("Found a piece of glass in my salad. sending pics to local news", "high_level"),
        ("Que chimba el servicio de @RideYaCo, el conductor super amable 👌", "other"),
        ("thanks @CityNet, tech came on time and fixed it in 10 min", "other"),
    ],
)
def test_each_category_in_both_languages(text, category):
    assert decide(text, **SMALL).category == category


@pytest.mark.parametrize(
    "text",
    [
        "Se filtraron mis datos: me llegan correos con mi cedula y mi saldo @UniNova",
        "@GymCore refused entry to my friend because she's wearing a hijab. that's discrimination",
        "No compren en @ModaNativa, venden ropa usada como nueva #NoCompresEnModaNativa",
    ],
)
def test_high_level_is_always_red_with_its_trigger_as_reason(text):
    decision = decide(text, **SMALL)
    assert (decision.category, decision.level) == ("high_level", "red")
    assert signals_of(decision) & {"fraud_fact", "collective", "authority_mention"}


@pytest.mark.parametrize(
    "text",
    [
        "Me encanto mi estancia en @HotelesCostaAzul, la vista es brutal 😍",
        "Congrats @RideGo on 10 years!",
    ],
)
def test_other_is_green_whatever_the_reach(text):
    decision = decide(text, author_followers=2_000_000, likes=90_000, shares=9_000)
    assert (decision.category, decision.level) == ("other", "green")


def test_civil_claims_are_green():
    assert (
        decide("Me cobraron dos veces la cuota del gym, pueden revisar?", **SMALL).level == "green"
    )
    assert (
        decide(
            "@FreshCart you charged my card but the order was cancelled, when do I get the refund?",
            **SMALL,
        ).level
        == "green"
    )


@pytest.mark.parametrize(
    ("field", "at", "under"),
    [("author_followers", 100_000, 99_999), ("shares", 1_000, 999), ("likes", 5_000, 4_999)],
)
def test_reach_exactly_at_threshold_is_red_and_just_under_is_not(field, at, under):
    text = "@SkyJetAir hi, can I add a checked bag after booking online?"
    base = {"author_followers": 10, "likes": 0, "shares": 0}
    red = decide(text, **{**base, field: at})
    assert (red.category, red.level) == ("pqr", "red")
    assert evidence_of(red, "reach") == [f"{field.removeprefix('author_')}={at}"]
    assert decide(text, **{**base, field: under}).level == "green"


def test_thresholds_are_settings():
    text = "Hola, donde veo mi factura de este mes? @EnergiaSur"
    assert decide(text, author_followers=500).level == "green"
    assert decide(text, author_followers=500, thresholds=Thresholds(followers=500)).level == "red"


@pytest.mark.parametrize(
    "text", ["@Telvio chafas, losers lol", "Arrastrados todos en @BancoCaribeVE, jalabolas"]
)
def test_troll_with_small_reach_is_green_and_large_reach_red(text):
    small = decide(text, author_is_troll=True, author_followers=80)
    assert (small.category, small.level) == ("insult", "green")
    assert "troll" in signals_of(small)
    large = decide(text, author_is_troll=True, author_followers=250_000)
    assert (large.category, large.level) == ("insult", "red")
    assert {"troll", "reach"} <= signals_of(large)


def test_insult_from_someone_not_flagged_is_yellow():
    decision = decide("@TeleMax worst company on earth, bunch of idiots", **SMALL)
    assert (decision.category, decision.level) == ("insult", "yellow")
    assert "insult" in signals_of(decision)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        (
            "Al cajero de @BancoAurora lo voy a esperar a la salida y le voy a romper la madre",
            "insult",
        ),
        ("@RideGo I know where your office is. I'll burn it down with everyone inside", "insult"),
        (
            "Me cobraron el doble en el peaje y si el del mostrador me vuelve a gritar le parto "
            "la cara",
            "pqr",
        ),
        (
            "@ZipRide u overcharged me $60. refund it or next time I see that driver I'm "
            "breaking his jaw",
            "pqr",
        ),
    ],
)
def test_violent_threat_is_red_in_insult_and_in_pqr(text, category):
    decision = decide(text, **SMALL)
    assert (decision.category, decision.level) == (category, "red")
    assert "violence_threat" in signals_of(decision)


def test_violent_threat_from_a_small_troll_is_still_red():
    decision = decide(
        "voy a ir a quemar la tienda de @ModaNativa con todos adentro jaja",
        author_is_troll=True,
        author_followers=50,
    )
    assert decision.level == "red"


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("pinche @MovilPlus_mx me cobro 300 pesos de roaming, que pedo con eso", "hostility"),
        ("@StreamBox this is BS, I cancelled in March and you're still billing me", "hostility"),
        ("TRES HORAS SIN LUZ EN MI CASA Y NO CONTESTAN EL TELEFONO!!! @LuzCentroMx", "hostility"),
        ("Si no me arreglan la fibra esta semana me cambio a la competencia", "churn_threat"),
        (
            "@CityNet if this isn't fixed by friday I'm cancelling and switching providers",
            "churn_threat",
        ),
        (
            "Llevo una semana esperando el reembolso del vuelo y nadie me responde",
            "repeated_problem",
        ),
        (
            "third time calling about the same leak in my bathroom and nobody shows up",
            "repeated_problem",
        ),
    ],
)
def test_aggravated_pqr_is_yellow_with_the_words_that_aggravate_it(text, signal):
    decision = decide(text, **SMALL)
    assert (decision.category, decision.level) == ("pqr", "yellow")
    assert signal in signals_of(decision)


def test_overdue_case_makes_a_civil_claim_yellow_but_not_praise():
    claim = "Mi pedido dice entregado pero no me llego nada, orden MN-558120"
    assert decide(claim, **SMALL).level == "green"
    overdue = decide(claim, author_has_overdue_case=True, **SMALL)
    assert overdue.level == "yellow"
    assert "overdue_case" in signals_of(overdue)
    praise = decide("Gracias por todo, excelente atención", author_has_overdue_case=True)
    assert praise.level == "green"


def test_ripple_makes_negative_comments_red_and_cites_the_cluster():
    evidence = "cluster #41, 14 authors in 38 min"
    claim = decide("@BancoAurora no puedo entrar a la app desde ayer", ripple=evidence, **SMALL)
    assert claim.level == "red"
    assert evidence_of(claim, "ripple") == [evidence]
    praise = decide("Gracias @BancoAurora, la app nueva es genial", ripple=evidence)
    assert praise.level == "green"
    assert "ripple" not in signals_of(praise)


@pytest.mark.parametrize(
    "text",
    [
        "mi abuelo era policía y siempre viaja con @VuelaSur, un amor la tripulación",
        "se hizo viral lo rico que está el pollo de @RapiMenu jajaja",
        "no puedo creer lo bueno que es el menu nuevo @ChefExpress",
        "my lawyer friend recommended @NorthBank and honestly best decision, zero fees",
    ],
)
def test_innocent_authority_health_and_viral_words_stay_green(text):
    decision = decide(text, **SMALL)
    assert decision.category != "high_level"
    assert decision.level == "green"


def test_negated_legal_route_is_a_plain_claim():
    decision = decide(
        "No voy a denunciar ni nada, solo quiero que me devuelvan los 40 euros del pedido", **SMALL
    )
    assert decision.category == "pqr"
    assert "authority_mention" not in signals_of(decision)


def test_every_decision_has_reasons_and_a_model_reason_when_the_model_decided():
    decision = decide("@GymCore how do I freeze my membership for a month?", **SMALL)
    assert decision.reasons
    model_reasons = evidence_of(decision, "model")
    assert model_reasons
    assert model_reasons[0].startswith("pqr p=")


def test_a_ripple_member_is_no_longer_uncertain_the_taxonomy_settled_its_level():
    from classifier import Decision
    from classifier.rules import with_ripple

    doubtful = Decision(
        category="pqr",
        level="green",
        confidence=0.41,
        reasons=(),
        model_version="v",
        lang="es",
        uncertain=True,
    )
    member = with_ripple(doubtful, "cluster #1, 12 authors in 40 min")
    assert (member.level, member.uncertain) == ("red", False)
