"""Committee seats and escalated reds for the crisis tests."""

from functools import partial

from django.contrib.auth import get_user_model

from brands.grants import grant_role
from brands.models import Membership
from brands.roles import Role
from comments import intake
from crisis import escalation
from crisis.models import CommitteeMember, Escalation
from tests.conftest import PASSWORD
from tests.factories import RED_TEXT, comment_item


def seat(user, brand, *, committee_role="marketing", level=1, spokesperson=False, chat_handle=""):
    membership = Membership.objects.get(user=user, brand=brand)
    return CommitteeMember.objects.create(
        membership=membership,
        committee_role=committee_role,
        contact_level=level,
        is_spokesperson=spokesperson,
        chat_handle=chat_handle,
    )


def member(username, brand, *, role=Role.CRISIS_COMMITTEE, **seat_options):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.com"
    )
    grant_role(user, role, brand=brand)
    seat(user, brand, **seat_options)
    return user


def escalate(brand, items) -> list[Escalation]:
    """Ingest ``items`` at ``brand`` and run each red's escalation as the crisis worker does."""
    results = partial(intake.ingest, brand_id=brand.pk)(items)
    found = list(
        Escalation.objects.filter(comment_id__in=[r.id for r in results]).order_by(
            "comment__posted_at", "pk"
        )
    )
    for row in found:
        escalation.escalation_notify(escalation_id=row.pk)
    for row in found:
        row.refresh_from_db()
    return found


def red(**overrides):
    return comment_item(**{"text": RED_TEXT, **overrides})
