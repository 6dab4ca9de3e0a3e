"""Issue 15: third-party data, explanations in content words, calibration, uncertainty,
watchlists, and figures per source."""

import json

import numpy as np
import pytest

from classifier import CommentInput, Thresholds, classify, default_model
from classifier.evaluation import cross_source, source_figures
from classifier.sources import (
    NON_COMMERCIAL,
    PERMISSIVE,
    REAL_DIR,
    cleaned_text,
    file_sha256,
    load_mapping,
    load_real,
    mapped_rows,
)
from classifier.stopwords import FUNCTION_WORDS
from classifier.training import expected_calibration_error, fit_temperature, train
from classifier.watchlists import MARKETS, folded_watchlist, seed_watchlist
from tests.classifier.helpers import decide, evidence_of, signals_of

# --- the shipped data and model -------------------------------------------------------------


def test_only_permissive_datasets_ship_and_each_travels_with_its_attribution():
    shipped = {path.stem for path in REAL_DIR.glob("*.jsonl")}
    assert shipped == set(PERMISSIVE)
    assert shipped.isdisjoint(NON_COMMERCIAL)
    attribution = (REAL_DIR / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for dataset in PERMISSIVE:
        assert f"`{dataset}.jsonl`" in attribution


def test_the_shipped_model_records_each_dataset_with_the_hash_of_its_file():
    datasets = {entry["dataset"]: entry for entry in default_model().meta["datasets"]}
    assert set(datasets) == set(PERMISSIVE)
    for dataset, entry in datasets.items():
        assert entry["sha256"] == file_sha256(REAL_DIR / f"{dataset}.jsonl")
        assert entry["rows"] > 0


def test_the_shipped_model_stores_cross_source_and_calibration_figures():
    meta = default_model().meta
    sources = meta["cross_source"]["sources"]
    assert {"corpus", *PERMISSIVE} <= set(sources)
    for figures in sources.values():
        assert 0.0 <= figures["category_macro_f1"] <= 1.0
    calibration = meta["calibration"]
    assert calibration["ece_after"] <= calibration["ece_before"]
    assert meta["held_out"]["n"] > 0


def test_no_function_word_carries_weight_in_the_shipped_model():
    from classifier.features import word_buckets

    buckets = word_buckets(sorted(FUNCTION_WORDS))
    assert not np.any(default_model().weights[buckets])


# --- mapping third-party labels -------------------------------------------------------------


def test_mapping_keeps_listed_labels_and_leaves_ambiguous_ones_out():
    mapping = load_mapping()
    rows = [
        {
            "id": "airline_tweets_en-1",
            "text": "@x my bag is lost",
            "source_label": "negative/Lost Luggage",
        },
        {"id": "airline_tweets_en-2", "text": "@x ok", "source_label": "neutral"},
        {"id": "hateval_es-3", "text": "callate", "source_label": "HS=1;TR=1;AG=1"},
        {"id": "hateval_es-4", "text": "hola", "source_label": "HS=0;TR=0;AG=0"},
    ]
    mapped = {row["id"]: row["category"] for row in mapped_rows(rows, mapping)}
    assert mapped == {"airline_tweets_en-1": "pqr", "hateval_es-3": "insult"}


def test_a_complaint_letter_naming_a_legal_route_maps_to_high_level_and_a_plain_one_to_pqr():
    mapping = {"cfpb_complaints_en": {"*": "pqr+signals"}}
    rows = [
        {
            "id": "cfpb_complaints_en-1",
            "text": "My lawyer will sue them in court.",
            "source_label": "x",
        },
        {
            "id": "cfpb_complaints_en-2",
            "text": "The statement shows a late fee.",
            "source_label": "x",
        },
    ]
    assert [row["category"] for row in mapped_rows(rows, mapping)] == ["high_level", "pqr"]


def test_long_letters_are_cut_to_their_opening_and_redactions_dropped():
    text = "On XX/XX/2019 I called XXXX. " + "They refused to help me again. " * 40
    cleaned = cleaned_text(text)
    assert "XX" not in cleaned
    assert len(cleaned) <= 600
    assert cleaned.endswith(".")


def test_missing_datasets_are_skipped_so_the_trainer_runs_without_them(tmp_path):
    row = {"id": "banking77_en-1", "text": "card not working", "source_label": "card_not_working"}
    (tmp_path / "banking77_en.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    rows, manifest = load_real(tmp_path, ("banking77_en", "hateval_es"))
    assert [entry["dataset"] for entry in manifest] == ["banking77_en"]
    assert rows[0]["category"] == "pqr"
    assert rows[0]["source"] == "banking77_en"


# --- explanations, uncertainty --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "me llego el paquete pero no es lo que pedi",
        "the thing i ordered is not the thing that came",
        "y eso que es lo que me mandaron a mi casa",
    ],
)
def test_model_explanations_name_content_words_never_function_words(text):
    decision = decide(text)
    for evidence in evidence_of(decision, "model"):
        words = evidence.partition(": ")[2].split(", ") if ": " in evidence else []
        assert all(word and word.lower() not in FUNCTION_WORDS for word in words)
        assert all(len(word) > 2 and word.isalpha() for word in words)


def test_a_low_confidence_decision_is_marked_uncertain_and_a_confident_one_is_not():
    vague = CommentInput(text="pues nada, a ver que pasa")
    clear = CommentInput(text="Me cobraron dos veces el delivery, me devuelven la plata?")
    strict = Thresholds(uncertain_below=0.99)
    relaxed = Thresholds(uncertain_below=0.0)
    assert classify([vague], thresholds=strict)[0].uncertain is True
    assert classify([clear], thresholds=relaxed)[0].uncertain is False


def test_uncertainty_never_lowers_a_level_a_rule_set():
    text = "la proxima vez que te vea te voy a partir la madre"
    for below in (0.0, 0.5, 1.01):
        decision = classify(
            [CommentInput(text=text)], thresholds=Thresholds(uncertain_below=below)
        )[0]
        assert decision.level == "red"


# --- watchlists -----------------------------------------------------------------------------


def test_seed_watchlists_cover_the_main_spanish_speaking_markets_and_the_us():
    for market in ("MX", "CO", "AR", "CL", "ES", "PE", "US"):
        assert market in MARKETS
        seeds = seed_watchlist([market])
        assert {"media", "authority"} <= set(seeds.values())


def test_tagging_a_watched_handle_is_a_media_signal_with_the_handle_as_evidence():
    text = "@RapiMenu dos horas esperando el pedido, ya etiquete a @vecina_chismosa"
    plain = classify([CommentInput(text=text)])[0]
    watched = classify([CommentInput(text=text)], watchlist={"@Vecina_Chismosa": "influencer"})[0]
    assert "media_mention" not in signals_of(plain)
    assert watched.category == "high_level"
    assert watched.level == "red"
    assert evidence_of(watched, "media_mention") == ["@vecina_chismosa"]


def test_a_watched_authority_handle_is_an_authority_signal():
    text = "@BancoAurora me bloquearon la cuenta, @DefensoriaLocal26 tomen nota"
    decision = classify([CommentInput(text=text)], watchlist={"DefensoriaLocal26": "authority"})[0]
    evidence = [words.lower() for words in evidence_of(decision, "authority_mention")]
    assert "@defensorialocal26" in evidence


def test_watchlist_entries_of_unknown_kinds_are_ignored():
    assert folded_watchlist({"@a": "friend", "@b": "media", 3: "media"}) == {"@b": "media_mention"}


def test_a_seeded_outlet_is_seen_without_any_watchlist():
    decision = decide("@FibraRedES tres dias sin internet, a ver si @lopezdoriga les hace caso")
    assert decision.level == "red"
    assert "@lopezdoriga" in evidence_of(decision, "media_mention")


# --- calibration ----------------------------------------------------------------------------


def test_temperature_scaling_repairs_overconfident_scores():
    rng = np.random.default_rng(3)
    targets = rng.integers(0, 4, 2000)
    scores = rng.normal(size=(2000, 4))
    scores[np.arange(2000), targets] += 1.0  # right more often than not ...
    overconfident = scores * 6.0  # ... but far too sure of itself
    weights = np.ones(2000)
    before = expected_calibration_error(overconfident, targets, weights)
    scale, shift = fit_temperature(overconfident, targets, weights)
    after = expected_calibration_error(overconfident * scale + shift, targets, weights)
    assert scale < 1.0
    assert after < before / 2


# --- figures per source ---------------------------------------------------------------------


def test_source_figures_count_a_complaint_found_as_pqr_or_high_level():
    rows = [
        {"source": "s", "category": "pqr"},
        {"source": "s", "category": "pqr"},
        {"source": "s", "category": "other"},
    ]
    decisions = classify(
        [
            CommentInput(text="ya puse la denuncia en profeco por el cobro"),
            CommentInput(text="gracias, todo excelente"),
            CommentInput(text="gracias, todo excelente"),
        ]
    )
    figures = source_figures(rows, decisions)["s"]
    assert figures["pqr"]["found_share"] == 0.5
    assert figures["other"]["found_share"] == 1.0


def test_cross_source_judges_each_source_with_a_model_that_never_saw_it():
    corpus = [
        {"text": f"me cobraron doble otra vez {i}", "category": "pqr", "level": "green"}
        for i in range(6)
    ] + [
        {"text": f"gracias, excelente {i}", "category": "other", "level": "green"} for i in range(6)
    ]
    real = [
        {"text": f"you are an idiot {i}", "category": "insult", "source": "a"} for i in range(6)
    ] + [{"text": f"charged twice again {i}", "category": "pqr", "source": "b"} for i in range(6)]
    seen: list[set[str]] = []

    def trainer(own, third_party):
        seen.append({row.get("source", "corpus") for row in [*own, *third_party]})
        return train([*own, *third_party], version="t")

    figures = cross_source(corpus, real, trainer=trainer)["sources"]
    assert set(figures) == {"corpus", "a", "b"}
    assert seen == [{"a", "b"}, {"corpus", "b"}, {"corpus", "a"}]
    assert figures["a"]["n"] == 6


# --- signals in context (issue 15 families) -------------------------------------------------


def _fired(text: str) -> set[str]:
    from classifier.normalise import normalise
    from classifier.signals import analyse

    return set(analyse(normalise(text)).fired)


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("si lo veo otra vez le parto la madre al guardia", "violence_threat"),
        ("a ese cajero lo vamos a agarrar a balazos", "violence_threat"),
        ("te voy a cagar a palos cuando salgas", "violence_threat"),
        ("le saco la chucha al repartidor", "violence_threat"),
        ("i'm gonna stab him if he comes back", "violence_threat"),
        ("me salio un clavo en el pan de la hamburguesa", "health_safety"),
        ("there were maggots in my cereal box", "health_safety"),
        ("me dieron pastillas equivocadas en la farmacia", "health_safety"),
        ("the pharmacist gave me the wrong insulin", "health_safety"),
        ("no es un caso aislado, le pasa a medio edificio", "collective"),
        ("this is not an isolated case", "collective"),
        ("la vendedora es una vieja amargada", "insult"),
        ("sois unos capullos", "insult"),
        ("el guardia es un flaite culiao", "insult"),
        ("whoever answers here is a total psycho", "insult"),
    ],
)
def test_issue_15_families_fire_their_signal(text, signal):
    assert signal in _fired(text)


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("la sucursal que esta frente a la fiscalia abre el sabado?", "authority_mention"),
        ("hay mucha demanda de este color? cuando reponen", "authority_mention"),
        ("is the shop next to the courthouse open late?", "authority_mention"),
        ("RT @amiga: que buen dia hace", "media_mention"),
        ("the atm swallowed my card, how do i get it back", "health_safety"),
        ("tomate un cafe con pan y relajate", "health_safety"),
        ("nos tomaron el pelo con la promo del pedido", "health_safety"),
        ("i know where my card is, i just can't use it", "violence_threat"),
    ],
)
def test_innocent_uses_do_not_fire(text, signal):
    assert signal not in _fired(text)


# --- command line -----------------------------------------------------------------------------


def test_cli_evaluates_a_real_data_file_per_source(tmp_path, capsys):
    from classifier.cli import main

    rows = [
        {"id": "mine-1", "text": "me cobraron dos veces la cuota", "source_label": "c"},
        {"id": "mine-2", "text": "que lindo dia en la playa", "source_label": "n"},
    ]
    path = tmp_path / "mine.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"mine": {"c": "pqr", "n": "other"}}), encoding="utf-8")
    assert main(["evaluate", str(path), "--mapping", str(mapping)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert [line.split()[:3] for line in printed[1:]] == [
        ["mine", "other", "1"],
        ["mine", "pqr", "1"],
    ]


def test_cli_trains_on_a_corpus_alone_and_writes_a_calibrated_model(tmp_path, capsys):
    from classifier import load_model
    from classifier.cli import main

    rows = [
        {"text": f"me cobraron doble otra vez {i}", "category": "pqr", "level": "green"}
        for i in range(12)
    ] + [
        {"text": f"gracias, excelente {i}", "category": "other", "level": "green"}
        for i in range(12)
    ]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    output = tmp_path / "model.npz"
    assert main(["train", "--no-real", "--corpus", str(corpus), "--output", str(output)]) == 0
    model = load_model(output)
    assert model.meta["calibration"]["n"] == len(rows)
    assert "calibration ece_before=" in capsys.readouterr().out


@pytest.mark.parametrize(
    "text",
    [
        "mi primo trabaja en la fiscalia y dice que el banco es bueno",
        "my aunt works at the courthouse and loves this app",
    ],
)
def test_a_workplace_is_no_authority_mention(text):
    assert "authority_mention" not in _fired(text)


def test_a_complaint_to_the_prosecutor_still_is_one():
    assert "authority_mention" in _fired("ya puse la denuncia en la fiscalia por el cobro")
