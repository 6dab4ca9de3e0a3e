"""The case follows its comments up by itself, and down only by a supervisor's audited step:
level, category, deadlines, protocol, approval and the place in "take next" move together."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import raising, workflow
from cases.models import AuditEvent, Case
from comments import corrections
from core.errors import DomainError
from core.taxonomy import Category, Level
from replies import protocols
from replies import workflow as replies
from tests.factories import case_with_comment

pytestmark = pytest.mark.django_db


def _comment_of(case):
    return case.comments.get()


def test_a_comment_corrected_to_red_moves_every_part_of_its_case(aurora, alice):
    older_green = case_with_comment(
        brand=aurora, level=Level.GREEN, opened_at=timezone.now() - timedelta(hours=1)
    )
    case_with_comment(brand=aurora, level=Level.YELLOW)
    deadline = older_green.response_due_at
    assert replies.approval_required(older_green) is False

    corrections.classification_correct(
        comment_id=_comment_of(older_green).pk,
        user=alice,
        category=Category.HIGH_LEVEL,
        level=Level.RED,
    )

    case = Case.objects.get(pk=older_green.pk)
    assert (case.category, case.level) == (Category.HIGH_LEVEL, Level.RED)
    assert case.response_due_at < deadline
    assert case.alarm_at <= case.response_due_at
    assert replies.approval_required(case) is True
    protocol = protocols.protocol_for(brand=aurora, category=case.category, level=case.level)
    assert protocol.category == Category.HIGH_LEVEL
    taken = workflow.case_take_next(actor=alice, brand_ids=frozenset({aurora.pk}))
    assert taken.pk == case.pk, "the red now comes first"


def test_a_comment_corrected_down_leaves_its_case_until_a_supervisor_lowers_it(aurora, alice, sam):
    case = case_with_comment(brand=aurora, level=Level.RED, category=Category.HIGH_LEVEL)
    corrections.classification_correct(
        comment_id=_comment_of(case).pk, user=alice, category=Category.PQR, level=Level.GREEN
    )
    case.refresh_from_db()
    assert case.level == Level.RED

    with pytest.raises(Case.DoesNotExist):
        raising.case_lower(case_id=case.pk, actor=alice, note="a question")
    with pytest.raises(DomainError):
        raising.case_lower(case_id=case.pk, actor=sam, note=" ")
    lowered = raising.case_lower(case_id=case.pk, actor=sam, note="a plain question after all")

    assert (lowered.category, lowered.level) == (Category.PQR, Level.GREEN)
    assert lowered.response_due_at - lowered.opened_at == timedelta(minutes=480)
    event = AuditEvent.objects.get(case=case, action="case_lowered")
    assert (event.actor, event.before["level"], event.after["note"]) == (
        sam,
        "red",
        "a plain question after all",
    )
    with pytest.raises(DomainError):
        raising.case_lower(case_id=case.pk, actor=sam, note="again")


def test_the_case_page_offers_the_lowering_to_supervisors_only(client, aurora, alice, sam):
    case = case_with_comment(brand=aurora, level=Level.RED, category=Category.HIGH_LEVEL)
    workflow.case_assign(case_id=case.pk, actor=sam, assignee=alice)
    corrections.classification_correct(
        comment_id=_comment_of(case).pk, user=alice, category=Category.PQR, level=Level.YELLOW
    )
    client.force_login(alice)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="case-lower"' in page
    assert "/lower/" not in page
    client.force_login(sam)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/lower/" in page
    client.post(f"/cases/{case.pk}/lower/", {"note": "only a complaint"})
    case.refresh_from_db()
    assert case.level == Level.YELLOW
