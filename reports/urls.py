from django.urls import path

from reports import views
from reports.models import ExportKind

urlpatterns = [
    path("", views.overview, name="reports-overview"),
    *(
        path(f"export/{kind}.csv", views.export, {"kind": kind}, name=f"reports-export-{kind}")
        for kind in ExportKind.values
    ),
]
