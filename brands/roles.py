"""Roles and what each may do; every view and endpoint checks a permission, never a role name.

People hold roles per brand (``brands.Membership``): ``brands.backends.MembershipBackend`` gives
a person the permissions of the roles they hold, and ``brands.access`` narrows every read to the
brands where they hold them. REST clients are not people of a brand: they are users in the
``api_client`` group, and their token names the brand.
"""

from django.db import models


class Role(models.TextChoices):
    COMMUNITY_MANAGER = "community_manager", "Community manager"
    SUPERVISOR = "supervisor", "Supervisor"
    CRISIS_COMMITTEE = "crisis_committee", "Crisis committee"
    API_CLIENT = "api_client", "API client"


# "app_label.codename" of each permission a role holds.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.COMMUNITY_MANAGER: (
        "comments.view_queue",
        "comments.view_comment",
        "comments.correct_classification",
        "cases.work_case",
    ),
    Role.SUPERVISOR: (
        "comments.view_queue",
        "comments.view_comment",
        "comments.correct_classification",
        "cases.work_case",
        "cases.assign_case",
        "comments.flag_troll",
        "replies.approve_reply",
        "replies.change_protocol",
        "replies.change_faqentry",
        "replies.change_fact",
        "cases.manage_department",
        "comments.view_model_figures",
        "comments.retrain_classifier",
        "comments.import_comments",
        "brands.manage_team",
        "crisis.view_crisis",
        "crisis.manage_crisis",
        "reports.view_reports",
        "reports.export_reports",
        "reports.name_subjects",
        "reports.view_audit",
    ),
    Role.CRISIS_COMMITTEE: (
        "comments.view_queue",
        "comments.view_comment",
        "crisis.view_escalation",
        "crisis.view_crisis",
        "crisis.manage_crisis",
        "reports.view_reports",
        "reports.export_reports",
    ),
    Role.API_CLIENT: (
        "comments.ingest_comment",
        "comments.view_comment",
    ),
}

DASHBOARD_PERMISSION = "comments.view_queue"


def roles_granting(perm: str) -> frozenset[str]:
    return frozenset(role.value for role, perms in ROLE_PERMISSIONS.items() if perm in perms)
