from django.urls import path

from brands import views

urlpatterns = [
    path("brand/switch/", views.brand_switch, name="brand-switch"),
]
