"""The classifier page for supervisors: which model version classifies, and how good it is.

The figures are the ones stored in the model file when it was trained: cross-validated over
its training rows, never an in-sample evaluation (which would be near perfect and mislead).
This module is also its own URL conf, so the project's URLs need one line for it.
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import path

from comments import classification
from comments.classifier import default_model
from comments.classifier.evaluation import FIGURES


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
            "trained_at": model.meta.get("trained_at"),
            "training_rows": model.meta.get("training_rows"),
            "evaluation": evaluation,
            "figures": figures,
        },
    )


urlpatterns = [path("", classifier_figures, name="classifier-figures")]
