from django.urls import path

from reports import views
from reports.models import ExportKind

urlpatterns = [
    path("", views.overview, name="reports-overview"),
    path("audit/", views.audit_log, name="reports-audit"),
    path("top-complaints/", views.top_complaints, name="reports-top-complaints"),
    path("top-complaints/name/", views.subject_name, name="reports-subject-name"),
    path("top-complaints/merge/", views.subjects_merge, name="reports-subjects-merge"),
    path("top-complaints/split/", views.subject_split, name="reports-subject-split"),
    *(
        path(f"export/{kind}.csv", views.export, {"kind": kind}, name=f"reports-export-{kind}")
        for kind in ExportKind.values
    ),
]
