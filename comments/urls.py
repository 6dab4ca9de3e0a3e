from django.urls import path

from comments import views, views_departments, views_privacy, views_protocols

urlpatterns = [
    path("", views.queue, name="queue"),
    path("queue/rows/", views.queue_rows, name="queue-rows"),
    path("comments/<int:pk>/", views.comment_detail, name="comment-detail"),
    path("comments/<int:pk>/correct/", views.comment_correct, name="comment-correct"),
    path("monitor/", views.monitor, name="monitor"),
    path("authors/<int:pk>/troll/from/<int:comment_pk>/", views.author_troll, name="author-troll"),
    path("cases/", views_privacy.case_list, name="cases"),
    path("cases/take-next/", views.case_take_next, name="case-take-next"),
    path(
        "cases/<int:pk>/personal-data/", views_privacy.case_personal_data, name="case-personal-data"
    ),
    path("cases/<int:pk>/handoff/", views_privacy.case_handoff, name="case-handoff"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/answer/", views.case_record_answer, name="case-answer"),
    path("cases/<int:pk>/replies/", views.reply_save, name="reply-save"),
    path("replies/<int:pk>/submit/", views.reply_submit, name="reply-submit"),
    path("replies/<int:pk>/publish/", views.reply_publish, name="reply-publish"),
    path("replies/<int:pk>/review/", views.reply_review, name="reply-review"),
    path("approvals/", views.approvals, name="approvals"),
    path("protocols/", views_protocols.protocol_list, name="protocols"),
    path("protocols/<int:pk>/", views_protocols.protocol_edit, name="protocol-edit"),
    path("departments/", views_departments.department_list, name="departments"),
    path("cases/<int:pk>/department/", views_departments.case_route, name="case-route"),
    path(
        "department-requests/<int:pk>/answer/",
        views_departments.request_answer,
        name="department-request-answer",
    ),
    path("d/<str:token>/", views_departments.department_answer, name="department-answer"),
    path("cases/<int:pk>/<slug:action>/", views.case_action, name="case-action"),
    path("s/<str:token>/", views.satisfaction, name="satisfaction"),
]
