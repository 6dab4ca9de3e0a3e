from django.urls import path

from crisis.api import views

urlpatterns = [
    path("crises/", views.CrisisList.as_view(), name="api-crises"),
    path("crises/<int:pk>/", views.CrisisDetail.as_view(), name="api-crisis-detail"),
    path(
        "crises/<int:pk>/acknowledge/",
        views.CrisisAcknowledge.as_view(),
        name="api-crisis-acknowledge",
    ),
]
