"""Reads for the case pages that need no comment."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from brands.roles import roles_granting
from cases.models import Case


def case_assignees(case: Case) -> QuerySet:
    """The people a supervisor may give this case to: those who work cases at its brand."""
    return (
        get_user_model()
        .objects.filter(
            memberships__brand_id=case.brand_id,
            memberships__role__in=roles_granting("cases.work_case"),
            is_active=True,
        )
        .order_by("username")
    )
