from django.urls import path

from comments.api import views

urlpatterns = [
    path("comments/", views.CommentListCreate.as_view(), name="api-comments"),
    path("comments/<int:pk>/", views.CommentDetail.as_view(), name="api-comment-detail"),
]
