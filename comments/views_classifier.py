"""The classifier page for supervisors: which model version classifies, and how good it is.

The figures are the ones stored in the model file when it was trained: cross-validated over
its training rows, never an in-sample evaluation (which would be near perfect and mislead).
This module is also its own URL conf, so the project's URLs need one line for it.
"""

from datetime import datetime

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import path

from classifier import default_model
from classifier.evaluation import FIGURES
from comments import classification


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
        },
    )


def _moment(stamp: str | None) -> datetime | str | None:
    """The model file keeps times as ISO text; a page shows them as it shows any time. Text
    that is not ISO is shown as written."""
    try:
        return datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        return stamp


urlpatterns = [path("", classifier_figures, name="classifier-figures")]
