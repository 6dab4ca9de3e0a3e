from django.urls import path

from outbound import views

urlpatterns = [path("deliveries/errors/", views.delivery_errors, name="delivery-errors")]
