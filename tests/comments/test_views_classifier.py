from datetime import datetime

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import formats, timezone, translation

from classifier import default_model, train_evaluated
from classifier.corpus import load_corpus
from classifier.evaluation import FIGURES

pytestmark = pytest.mark.django_db


def shown(value: float) -> str:
    """A figure as the Spanish page writes it (decimal comma)."""
    with translation.override("es"):
        return formats.number_format(value, 3)


def test_supervisor_sees_the_current_models_cross_validated_figures(client, sam):
    client.force_login(sam)
    response = client.get(reverse("classifier-figures"))
    assert response.status_code == 200
    page = response.content.decode()
    model = default_model()
    assert model.version in page
    for name in FIGURES:
        assert f"<td>{shown(model.evaluation[name])}</td>" in page
    assert f"{model.evaluation['n']} " in page


def test_when_the_model_was_trained_and_measured_reads_as_a_date(client, sam):
    client.force_login(sam)
    page = client.get(reverse("classifier-figures")).content.decode()
    trained = datetime.fromisoformat(default_model().meta["trained_at"])
    with translation.override("es"):
        written = formats.date_format(timezone.localtime(trained), "DATETIME_FORMAT")
    assert written in page
    # Neither time as the model file writes it (ISO text).
    assert default_model().meta["trained_at"] not in page
    assert default_model().evaluation["evaluated_at"] not in page


def test_the_page_follows_the_model_chosen_in_settings(client, sam, tmp_path):
    model = train_evaluated(load_corpus()[::8], version="sem-test-page", folds=2)
    path = model.save(tmp_path / "model.npz")
    client.force_login(sam)
    with override_settings(SEMAFORO={**settings.SEMAFORO, "CLASSIFIER_MODEL_PATH": str(path)}):
        page = client.get(reverse("classifier-figures")).content.decode()
    assert model.version in page
    assert f"<td>{shown(model.evaluation['red_recall'])}</td>" in page


def test_a_model_without_figures_says_so_instead_of_measuring_itself(client, sam, tmp_path):
    from classifier import train

    model = train(load_corpus()[::8], version="sem-test-bare")
    path = model.save(tmp_path / "model.npz")
    client.force_login(sam)
    with override_settings(SEMAFORO={**settings.SEMAFORO, "CLASSIFIER_MODEL_PATH": str(path)}):
        response = client.get(reverse("classifier-figures"))
    assert response.status_code == 200
    assert 'id="figure-red_recall"' not in response.content.decode()
    assert "train_classifier" in response.content.decode()


def test_the_page_is_in_spanish_by_default_and_english_on_request(client, sam):
    client.force_login(sam)
    spanish = client.get(reverse("classifier-figures"))
    assert "Cifras de validación cruzada" in spanish.content.decode()
    english = client.get(reverse("classifier-figures"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Cross-validated figures" in english.content.decode()


@pytest.mark.parametrize("persona", ["alice", "carla", "mallory"])
def test_other_roles_get_403(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("classifier-figures")).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("classifier-figures"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_headline_is_text_from_sources_the_model_did_not_train_on(client, sam):
    client.force_login(sam)
    with translation.override("en"):
        page = client.get(reverse("classifier-figures"), HTTP_ACCEPT_LANGUAGE="en")
    page = page.content.decode()
    model = default_model()
    sources = model.meta["cross_source"]["sources"]
    for name, measured in sources.items():
        assert f'id="source-{name}"' in page
        for share in measured["found"].values():
            assert shown_en(share) in page
    # The corpus's own cross-validation comes after them, named as the upper bound it is.
    assert page.index('id="cross-source"') < page.index("an upper bound")
    assert str(model.meta["held_out"]["n"]) in page
    for dataset in model.meta["datasets"]:
        assert dataset["licence"] in page


def test_a_model_measured_only_inside_its_corpus_says_nothing_of_other_sources(
    client, sam, tmp_path
):
    model = train_evaluated(load_corpus()[::8], version="sem-test-corpus-only", folds=2)
    path = model.save(tmp_path / "model.npz")
    client.force_login(sam)
    with override_settings(SEMAFORO={**settings.SEMAFORO, "CLASSIFIER_MODEL_PATH": str(path)}):
        page = client.get(reverse("classifier-figures")).content.decode()
    assert 'id="cross-source"' not in page
    assert "upper bound" not in page


def shown_en(value: float) -> str:
    with translation.override("en"):
        return formats.number_format(value, 3)
