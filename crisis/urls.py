from django.urls import path

from crisis import views

urlpatterns = [
    path("", views.crisis_list, name="crisis-list"),
    path("<int:pk>/", views.crisis_room, name="crisis-room"),
    path("<int:pk>/spread/", views.crisis_spread, name="crisis-spread"),
    path("<int:pk>/move/", views.crisis_move, name="crisis-move"),
    path("<int:pk>/acknowledge/", views.crisis_acknowledge_here, name="crisis-acknowledge"),
    path("<int:pk>/decisions/", views.crisis_decision, name="crisis-decision"),
    path("<int:pk>/statements/", views.statement_save, name="statement-save"),
    path("statements/<int:pk>/approve/", views.statement_approve, name="statement-approve"),
    path("statements/<int:pk>/publish/", views.statement_publish, name="statement-publish"),
    path("<int:pk>/evaluation/", views.crisis_postmortem, name="crisis-postmortem"),
    path("<int:pk>/evaluation.md", views.crisis_postmortem_export, name="crisis-postmortem-export"),
    path("ack/<str:token>/", views.crisis_ack, name="crisis-ack"),
    path("ack/<str:token>/chat/", views.crisis_chat_ack, name="crisis-chat-ack"),
]
