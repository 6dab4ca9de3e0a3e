from django.urls import path

from comments import views

urlpatterns = [
    path("", views.queue, name="queue"),
    path("queue/rows/", views.queue_rows, name="queue-rows"),
    path("comments/<int:pk>/", views.comment_detail, name="comment-detail"),
    path("comments/<int:pk>/correct/", views.comment_correct, name="comment-correct"),
    path("comments/<int:pk>/answer/", views.comment_answer, name="comment-answer"),
    path("monitor/", views.monitor, name="monitor"),
    path("authors/<int:pk>/troll/from/<int:comment_pk>/", views.author_troll, name="author-troll"),
]
