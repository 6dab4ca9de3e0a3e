"""Assignment by rules: new cases go round-robin to the community managers on duty.

A brand opts in (``Brand.auto_assign``). A case goes to the people of the first assignment rule
matching its platform and language, or to every community manager on duty when none matches;
among them, to whoever was given a case longest ago. Nobody on duty: the case waits for "take
the next case". Runs inside the ingest transaction on the batch's new cases at once.
"""

from django.db.models import F

from brands.models import AssignmentRule, Membership
from brands.roles import Role
from cases.models import AuditAction, AuditEvent, Case, CaseStatus
from core.bulk import insert_rows, update_rows


def cases_assign_by_rules(*, brand, new_cases: list[tuple[int, str, str]], now) -> int:
    """``new_cases``: ``(case_id, platform, language)``, most urgent first. Returns how many were
    assigned. The on-duty memberships are locked, so concurrent batches take turns fairly."""
    if not brand.auto_assign or not new_cases:
        return 0
    on_duty = list(
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(brand=brand, role=Role.COMMUNITY_MANAGER, on_duty=True, user__is_active=True)
        .order_by(F("last_assigned_at").asc(nulls_first=True), "id")
    )
    if not on_duty:
        return 0
    rules = list(AssignmentRule.objects.filter(brand=brand).prefetch_related("members"))
    turn = {membership.pk: index for index, membership in enumerate(on_duty)}
    by_pk = {membership.pk: membership for membership in on_duty}
    assigned = []
    for case_id, platform, language in new_cases:
        pool = _pool(rules, turn, platform=platform, language=language)
        chosen = by_pk[min(pool, key=turn.__getitem__)]
        turn[chosen.pk] = max(turn.values()) + 1  # to the back of the line
        chosen.last_assigned_at = now
        assigned.append((case_id, chosen))
    update_rows(
        Case,
        [
            {"id": case_id, "assignee_id": m.user_id, "status": CaseStatus.ASSIGNED}
            for case_id, m in assigned
        ],
    )
    Membership.objects.bulk_update({m.pk: m for _, m in assigned}.values(), ["last_assigned_at"])
    insert_rows(
        AuditEvent,
        [
            {
                "action": AuditAction.CASE_ASSIGNED,
                "case_id": case_id,
                "created_at": now,
                "actor_id": None,
                "comment_id": None,
                "author_id": None,
                "before": {"status": CaseStatus.NEW, "assignee": None},
                "after": {
                    "status": CaseStatus.ASSIGNED,
                    "assignee": m.user.username,
                    "via": "rules",
                },
            }
            for case_id, m in assigned
        ],
    )
    return len(assigned)


def _pool(rules, turn: dict[int, int], *, platform: str, language: str) -> list[int]:
    for rule in rules:
        if rule.matches(platform=platform, language=language):
            members = [m.pk for m in rule.members.all() if m.pk in turn]
            if members:
                return members
    return list(turn)
