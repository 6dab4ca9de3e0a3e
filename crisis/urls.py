from django.urls import path

from crisis import views

urlpatterns = [
    path("", views.crisis_list, name="crisis-list"),
    path("<int:pk>/", views.crisis_room, name="crisis-room"),
    path("ack/<str:token>/", views.crisis_ack, name="crisis-ack"),
]
