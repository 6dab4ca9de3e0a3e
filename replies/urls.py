from django.urls import path

from replies.views import faq, protocols, replies, steps

urlpatterns = [
    path("cases/<int:pk>/handoff/", replies.case_handoff, name="case-handoff"),
    path("cases/<int:pk>/replies/", replies.reply_save, name="reply-save"),
    path("cases/<int:pk>/closing/", replies.case_public_closing, name="case-public-closing"),
    path("cases/<int:pk>/faq/", faq.case_faq_search, name="case-faq-search"),
    path("cases/<int:pk>/false-claims/", faq.case_false_claim, name="case-false-claim"),
    path("cases/<int:pk>/steps/<int:step_id>/", steps.case_step, name="case-step"),
    path("replies/<int:pk>/submit/", replies.reply_submit, name="reply-submit"),
    path("replies/<int:pk>/publish/", replies.reply_publish, name="reply-publish"),
    path("replies/<int:pk>/review/", replies.reply_review, name="reply-review"),
    path("approvals/", replies.approvals, name="approvals"),
    path("protocols/", protocols.protocol_list, name="protocols"),
    path("protocols/<int:pk>/", protocols.protocol_edit, name="protocol-edit"),
    path("faq/", faq.faq_list, name="faq"),
    path("faq/<int:pk>/", faq.faq_edit, name="faq-edit"),
    path("faq/<int:pk>/reviewed/", faq.faq_reviewed, name="faq-reviewed"),
    path("faq/<int:pk>/delete/", faq.faq_delete, name="faq-delete"),
    path("facts/", faq.fact_list, name="facts"),
    path("facts/<int:pk>/", faq.fact_edit, name="fact-edit"),
]
