from django.urls import path

from replies.views import protocols, replies

urlpatterns = [
    path("cases/<int:pk>/handoff/", replies.case_handoff, name="case-handoff"),
    path("cases/<int:pk>/replies/", replies.reply_save, name="reply-save"),
    path("cases/<int:pk>/closing/", replies.case_public_closing, name="case-public-closing"),
    path("replies/<int:pk>/submit/", replies.reply_submit, name="reply-submit"),
    path("replies/<int:pk>/publish/", replies.reply_publish, name="reply-publish"),
    path("replies/<int:pk>/review/", replies.reply_review, name="reply-review"),
    path("approvals/", replies.approvals, name="approvals"),
    path("protocols/", protocols.protocol_list, name="protocols"),
    path("protocols/<int:pk>/", protocols.protocol_edit, name="protocol-edit"),
]
