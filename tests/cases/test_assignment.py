"""Assignment by rules: round-robin among the community managers on duty, by platform or
language first."""

import pytest

from brands.models import AssignmentRule, Membership
from brands.roles import Role
from cases.models import AuditEvent, CaseStatus
from comments.models import Comment
from tests.conftest import _person
from tests.factories import comment_item

pytestmark = pytest.mark.django_db
CLAIM = "Me cobraron dos veces la cuota de este mes, pueden revisar por favor?"
ENGLISH_CLAIM = "You charged me twice this month, can you check please?"


@pytest.fixture
def team(aurora, alice):
    aurora.auto_assign = True
    aurora.save()
    olga = _person("olga", Role.COMMUNITY_MANAGER, aurora)
    return alice, olga


def _assignees(ingest, items) -> list[str | None]:
    results = ingest(items)
    cases = [Comment.objects.select_related("case__assignee").get(pk=r.id).case for r in results]
    return [case.assignee.username if case.assignee else None for case in cases]


def test_new_cases_go_round_robin_to_the_people_on_duty(ingest, team):
    names = _assignees(ingest, [comment_item(text=CLAIM) for _ in range(4)])
    assert sorted(names) == ["alice", "alice", "olga", "olga"]
    assert names[0] != names[1]
    more = _assignees(ingest, [comment_item(text=CLAIM)])
    assert more[0] != names[-1]  # the one given a case longest ago is next
    case = Comment.objects.order_by("-id").first().case
    assert case.status == CaseStatus.ASSIGNED
    event = AuditEvent.objects.get(case=case, action="case_assigned")
    assert event.after["via"] == "rules"


def test_someone_off_duty_receives_nothing(ingest, team, aurora):
    alice, olga = team
    Membership.objects.filter(user=olga, brand=aurora).update(on_duty=False)
    assert set(_assignees(ingest, [comment_item(text=CLAIM) for _ in range(3)])) == {"alice"}


def test_a_rule_sends_a_platform_or_language_to_its_people(ingest, team, aurora):
    alice, olga = team
    rule = AssignmentRule.objects.create(brand=aurora, platform="instagram")
    rule.members.add(Membership.objects.get(user=olga, brand=aurora))
    english = AssignmentRule.objects.create(brand=aurora, language="en", position=1)
    english.members.add(Membership.objects.get(user=alice, brand=aurora))
    names = _assignees(ingest, [comment_item(text=CLAIM, platform="instagram") for _ in range(3)])
    assert set(names) == {"olga"}
    names = _assignees(ingest, [comment_item(text=ENGLISH_CLAIM, lang="en") for _ in range(2)])
    assert set(names) == {"alice"}


def test_nobody_on_duty_or_a_brand_without_rules_leaves_cases_for_take_next(
    ingest, aurora, alice, team
):
    Membership.objects.filter(brand=aurora).update(on_duty=False)
    assert _assignees(ingest, [comment_item(text=CLAIM)]) == [None]
    Membership.objects.filter(brand=aurora).update(on_duty=True)
    aurora.auto_assign = False
    aurora.save()
    assert _assignees(ingest, [comment_item(text=CLAIM)]) == [None]


def test_people_of_another_brand_never_get_its_cases(ingest, team, bruno):
    names = _assignees(ingest, [comment_item(text=CLAIM) for _ in range(4)])
    assert "bruno" not in names


def test_a_community_manager_ends_and_starts_their_shift_from_the_queue(
    client, team, aurora, ingest
):
    from django.urls import reverse

    alice, olga = team
    client.force_login(olga)
    assert client.get(reverse("queue")).context["on_duty"] is True
    client.post(reverse("duty-set"), {"on_duty": "0"})
    assert not Membership.objects.get(user=olga, brand=aurora).on_duty
    assert client.get(reverse("queue")).context["on_duty"] is False
    assert set(_assignees(ingest, [comment_item(text=CLAIM) for _ in range(2)])) == {"alice"}
    client.post(reverse("duty-set"), {"on_duty": "1"})
    assert Membership.objects.get(user=olga, brand=aurora).on_duty
