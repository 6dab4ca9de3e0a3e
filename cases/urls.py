from django.urls import path

from cases.views import cases, customers, departments, privacy

urlpatterns = [
    path("cases/", cases.case_list, name="cases"),
    path("cases/take-next/", cases.case_take_next, name="case-take-next"),
    path("cases/<int:pk>/personal-data/", privacy.case_personal_data, name="case-personal-data"),
    path("cases/<int:pk>/", cases.case_detail, name="case-detail"),
    path("cases/<int:pk>/notes/", customers.case_note, name="case-note"),
    path("customers/<int:author_id>/", customers.customer_detail, name="customer"),
    path("customers/<int:author_id>/link/", customers.customer_link, name="customer-link"),
    path(
        "customers/<int:author_id>/unlink/<int:other_id>/",
        customers.customer_unlink,
        name="customer-unlink",
    ),
    path("cases/<int:pk>/answer/", cases.case_record_answer, name="case-answer"),
    path("departments/", departments.department_list, name="departments"),
    path("cases/<int:pk>/department/", departments.case_route, name="case-route"),
    path(
        "department-requests/<int:pk>/answer/",
        departments.request_answer,
        name="department-request-answer",
    ),
    path("d/<str:token>/", departments.department_answer, name="department-answer"),
    path("s/<str:token>/", cases.satisfaction, name="satisfaction"),
]

# Last: its ``<slug:action>`` would otherwise swallow the case's other pages.
urlpatterns += [path("cases/<int:pk>/<slug:action>/", cases.case_action, name="case-action")]
