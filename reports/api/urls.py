from django.urls import path

from reports.api import views

urlpatterns = [
    path("reports/overview/", views.Overview.as_view(), name="api-reports-overview"),
    path(
        "reports/top-complaints/", views.TopComplaints.as_view(), name="api-reports-top-complaints"
    ),
]
