from django.urls import path

from comments.api import connectors, views

urlpatterns = [
    path("comments/", views.CommentListCreate.as_view(), name="api-comments"),
    path("comments/<int:pk>/", views.CommentDetail.as_view(), name="api-comment-detail"),
    path("comments/metrics/", connectors.CommentMetricsBatch.as_view(), name="api-comment-metrics"),
    path(
        "comments/<str:platform>/<str:external_id>/metrics/",
        connectors.CommentMetrics.as_view(),
        name="api-comment-metrics-one",
    ),
    path(
        "connectors/youtube/comment-threads/",
        connectors.YouTubeCommentThreads.as_view(),
        name="api-youtube-comment-threads",
    ),
    path(
        "connectors/tiktok/comments/",
        connectors.TikTokComments.as_view(),
        name="api-tiktok-comments",
    ),
]
