"""The classifier page for supervisors: which model version classifies, and how good it is.

The figures are the ones stored in the model file when it was trained, never an in-sample
evaluation (which would be near perfect and mislead). The headline is how the model does on
text from a source it did not train on: cross-validation inside our own corpus is an upper
bound, shown last and named as one. This module is also its own URL conf, so the project's
URLs need one line for it.
"""

from datetime import datetime

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from brands.access import brand_ids_for_request
from classifier import default_model
from classifier.evaluation import FIGURES
from comments import classification, learning, selectors
from core.pages import perform
from core.taxonomy import Category


@require_safe
@login_required
@permission_required("comments.view_model_figures", raise_exception=True)
def classifier_figures(request):
    model = classification.current_model() or default_model()
    evaluation = model.evaluation
    figures = [(name, evaluation[name]) for name in FIGURES] if evaluation else []
    return render(
        request,
        "comments/classifier.html",
        {
            "version": model.version,
            "trained_at": _moment(model.meta.get("trained_at")),
            "training_rows": model.meta.get("training_rows"),
            "evaluation": evaluation,
            "evaluated_at": _moment((evaluation or {}).get("evaluated_at")),
            "figures": figures,
            "cross_source": _cross_source(model.meta.get("cross_source")),
            "held_out": model.meta.get("held_out"),
            "calibration": model.meta.get("calibration"),
            "datasets": model.meta.get("datasets") or [],
            "brand_models": selectors.brand_models(
                brand_ids_for_request(request, learning.RETRAIN_PERMISSION)
            ),
        },
    )


@require_safe
@login_required
@permission_required(learning.RETRAIN_PERMISSION, raise_exception=True)
def brand_models(request, brand_id: int):
    """One brand's models, polled by the page while a retrain is on its way."""
    found = selectors.brand_models(
        brand_ids_for_request(request, learning.RETRAIN_PERMISSION) & {brand_id}
    )
    if not found:
        raise Http404
    return render(request, "comments/_brand_models.html", {"models": found[0]})


@login_required
@permission_required(learning.RETRAIN_PERMISSION, raise_exception=True)
@require_POST
def retrain(request, brand_id: int):
    perform(
        request,
        lambda: learning.retrain_request(brand_id=brand_id, actor=request.user),
        done=_("Retraining: a worker is training the new version; this page shows its verdict."),
    )
    return redirect("classifier-figures")


@login_required
@permission_required(learning.RETRAIN_PERMISSION, raise_exception=True)
@require_POST
def version_activate(request, pk: int):
    perform(
        request,
        lambda: learning.version_activate(version_id=pk, actor=request.user),
        done=_("That version classifies the brand's comments again."),
    )
    return redirect("classifier-figures")


@login_required
@permission_required(learning.RETRAIN_PERMISSION, raise_exception=True)
@require_POST
def shipped_model_restore(request, brand_id: int):
    perform(
        request,
        lambda: learning.shipped_model_restore(brand_id=brand_id, actor=request.user),
        done=_("The shipped model classifies the brand's comments again."),
    )
    return redirect("classifier-figures")


def _cross_source(figures: dict | None) -> list[dict]:
    """Each source left out of training and judged: its size, the share of its rows found as
    the category they map to, and its reds where it has any; our corpus first."""
    sources = (figures or {}).get("sources") or {}
    return [
        {
            "source": name,
            "n": measured.get("n"),
            "found": [
                (Category(category).label, share)
                for category, share in sorted(measured.get("found", {}).items())
            ],
            "red_recall": measured.get("red_recall"),
            "red_precision": measured.get("red_precision"),
        }
        for name, measured in sorted(sources.items(), key=lambda item: item[0] != "corpus")
    ]


def _moment(stamp: str | None) -> datetime | str | None:
    """The model file keeps times as ISO text; a page shows them as it shows any time. Text
    that is not ISO is shown as written."""
    try:
        return datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        return stamp


urlpatterns = [
    path("", classifier_figures, name="classifier-figures"),
    path("brands/<int:brand_id>/", brand_models, name="classifier-brand"),
    path("brands/<int:brand_id>/retrain/", retrain, name="classifier-retrain"),
    path("brands/<int:brand_id>/shipped/", shipped_model_restore, name="classifier-shipped"),
    path("versions/<int:pk>/activate/", version_activate, name="classifier-activate"),
]
