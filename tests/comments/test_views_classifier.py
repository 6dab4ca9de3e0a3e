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


# --- retraining from the page -----------------------------------------------------------------


def _version(brand, state, **extra):
    from comments.models import ClassifierVersion

    return ClassifierVersion.objects.create(brand=brand, state=state, **extra)


def test_a_supervisor_presses_retrain_and_a_second_press_is_refused(client, sam, aurora):
    from comments.models import ClassifierVersion

    client.force_login(sam)
    url = reverse("classifier-retrain", args=[aurora.pk])
    first = client.post(url, follow=True)
    [queued] = ClassifierVersion.objects.filter(brand=aurora)
    assert (queued.state, queued.requested_by) == ("queued", sam)
    assert 'role="status"' in first.content.decode()
    assert f'hx-get="{reverse("classifier-brand", args=[aurora.pk])}"' in first.content.decode()
    second = client.post(url, follow=True)
    assert ClassifierVersion.objects.filter(brand=aurora).count() == 1
    assert "msg-warning" in second.content.decode()


def test_people_without_the_permission_or_the_brand_cannot_retrain(
    client, alice, sam, aurora, rapimenu
):
    from comments.models import ClassifierVersion

    client.force_login(alice)
    assert client.post(reverse("classifier-retrain", args=[aurora.pk])).status_code == 403
    client.force_login(sam)
    assert client.post(reverse("classifier-retrain", args=[rapimenu.pk])).status_code == 404
    assert client.get(reverse("classifier-brand", args=[rapimenu.pk])).status_code == 404
    other = _version(rapimenu, "ready", version="rapimenu-1")
    assert client.post(reverse("classifier-activate", args=[other.pk])).status_code == 404
    assert not ClassifierVersion.objects.filter(brand=aurora).exists()
    assert (
        f"brand-models-{rapimenu.pk}"
        not in client.get(reverse("classifier-figures")).content.decode()
    )


def test_a_refused_version_shows_why_and_a_ready_one_can_be_used_again(client, sam, aurora):
    refused = _version(
        aurora,
        "refused",
        version="aurora-refused",
        verdict="It finds fewer reds than the model it would replace: 0.900 against 1.000",
        figures={
            "candidate": {"red_recall": 0.9, "category_macro_f1": 0.93, "n": 83},
            "incumbent": {"red_recall": 1.0, "category_macro_f1": 0.94, "n": 83},
        },
    )
    ready = _version(aurora, "ready", version="aurora-ready")
    client.force_login(sam)
    with translation.override("en"):
        page = client.get(reverse("classifier-figures"), HTTP_ACCEPT_LANGUAGE="en")
    row = page.content.decode().split(f'id="version-{refused.pk}"')[1].split("</tr>")[0]
    assert refused.verdict in row
    assert "/activate/" not in row
    client.post(reverse("classifier-activate", args=[ready.pk]))
    ready.refresh_from_db()
    assert ready.state == "active"
    client.post(reverse("classifier-activate", args=[refused.pk]))
    refused.refresh_from_db()
    assert refused.state == "refused"
