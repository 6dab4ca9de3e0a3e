"""The protocol's figures (issue 18 from issue 19's records): how long after a case opened each
step was done, the share done in its time, and how the cases ended, with the intermediate
solutions chosen; worked out by hand on cases opened on one Friday."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from cases import workflow
from cases.models import Case, Department, DepartmentRequest, Outcome
from core.taxonomy import Category, Level
from replies import protocols, steps
from replies.models import CaseStep
from reports import figures
from tests.factories import case_with_comment, sign_in
from tests.reports.test_figures import FRIDAY, SANTIAGO, T0, _scope

pytestmark = pytest.mark.django_db

MIN = timedelta(minutes=1)


def _pqr_case(brand, person, opened):
    case = case_with_comment(brand=brand, category=Category.PQR, level=Level.GREEN)
    workflow.case_assign(case_id=case.pk, actor=person, assignee=person)
    Case.objects.filter(pk=case.pk).update(opened_at=opened)
    return case


def _tick(case, person, position: int, after: timedelta):
    protocol = protocols.protocol_for(brand=case.brand, category="pqr", level="green")
    step = protocol.step_rows.get(position=position)
    record = steps.case_step_done(case_id=case.pk, actor=person, step_id=step.pk)
    CaseStep.objects.filter(pk=record.pk).update(done_at=T0 + after)


def _resolve(case, person, outcome, solution=""):
    workflow.case_move(case_id=case.pk, actor=person, action="start")
    workflow.case_move(
        case_id=case.pk,
        actor=person,
        action="resolve",
        outcome=outcome,
        intermediate_solution=solution,
    )


@pytest.fixture
def worked(aurora, alice):
    aurora.time_zone = SANTIAGO.key
    aurora.save()
    first, second, third = (_pqr_case(aurora, alice, T0) for _ in range(3))
    # The first step is due within 60 minutes: done after 30, 50 and 90.
    _tick(first, alice, 0, 30 * MIN)
    _tick(second, alice, 0, 50 * MIN)
    _tick(third, alice, 0, 90 * MIN)
    _tick(first, alice, 3, 600 * MIN)  # the daily follow-up has no time of its own
    _resolve(first, alice, Outcome.INTERMEDIATE, "Reembolso parcial")
    _resolve(second, alice, Outcome.INTERMEDIATE, "Reembolso parcial")
    _resolve(third, alice, Outcome.SOLVED)
    late = _pqr_case(aurora, alice, T0 + timedelta(days=7))  # another week: not counted
    _tick(late, alice, 0, 5 * MIN)
    return aurora


def test_each_step_with_its_times_its_share_done_in_time_and_how_often_skipped(worked):
    scope = _scope(worked, *FRIDAY)
    first, second, third, daily = figures.protocol_steps(scope)
    assert (first["position"], first["owner"], first["done"]) == (1, "community_manager", 3)
    assert first["median"] == 50 * 60
    assert first["p90"] == pytest.approx((50 + 0.8 * 40) * 60)
    assert first["on_time"] == pytest.approx(2 / 3, abs=1e-4)
    assert first["skipped"] == 0
    # Never done on the three resolved cases: listed, skipped on each.
    assert [(s["position"], s["done"], s["skipped"]) for s in (second, third)] == [
        (2, 0, 3),
        (3, 0, 3),
    ]
    assert (second["median"], second["on_time"]) == (None, None)
    assert (daily["position"], daily["done"], daily["on_time"], daily["skipped"]) == (4, 1, None, 2)
    [owner] = figures.step_owners(scope)
    assert (owner["owner"], owner["done"], owner["median"]) == ("community_manager", 4, 70 * 60)
    assert owner["on_time"] == pytest.approx(2 / 3, abs=1e-4)  # the daily step has no time


def test_how_the_cases_ended_and_the_solutions_chosen(worked):
    ended = figures.outcomes(_scope(worked, *FRIDAY))
    assert (ended["resolved"], ended["solved"], ended["intermediate"], ended["troll"]) == (
        3,
        1,
        2,
        0,
    )
    assert ended["intermediate_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert ended["solutions"] == [{"name": "Reembolso parcial", "cases": 2}]
    empty = figures.outcomes(_scope(worked, date(2024, 5, 1), date(2024, 5, 7)))
    assert (empty["resolved"], empty["intermediate_share"], empty["solutions"]) == (0, None, [])


@pytest.mark.parametrize(
    ("language", "heading"), [("es", "Pasos del protocolo"), ("en", "Protocol steps")]
)
def test_the_overview_page_and_the_api_show_them(client, api, worked, sam, language, heading):
    query = {"since": "2024-04-05", "until": "2024-04-05"}
    sign_in(client, "sam")
    with translation.override(language):
        page = client.get(reverse("reports-overview"), query, HTTP_ACCEPT_LANGUAGE=language)
    html = page.content.decode()
    assert heading in html
    assert "Reembolso parcial" in html
    answer = client.get(reverse("api-reports-overview"), query)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert [s["done"] for s in body["steps"]] == [3, 0, 0, 1]
    assert [s["skipped"] for s in body["steps"]] == [0, 3, 3, 2]
    assert body["outcomes"]["solutions"] == [{"name": "Reembolso parcial", "cases": 2}]


def test_cases_per_department_with_their_answer_times(aurora, alice):
    billing = Department.objects.create(brand=aurora, name="Facturación", email="b@a.example")
    legal = Department.objects.create(brand=aurora, name="Legal", email="l@a.example")
    for minutes, department in ((30, billing), (90, billing), (None, legal)):
        case = _pqr_case(aurora, alice, T0)
        DepartmentRequest.objects.create(
            case=case,
            brand=aurora,
            department=department,
            need="Reembolso",
            details="x",
            requested_by=alice,
            requested_at=T0,
            due_at=T0 + 60 * MIN,
            answered_at=None if minutes is None else T0 + minutes * MIN,
            answer="" if minutes is None else "Reembolsado",
        )
    aurora.time_zone = SANTIAGO.key
    aurora.save()
    assert figures.cases_per_department(_scope(aurora, *FRIDAY)) == [
        {
            "department": "Facturación",
            "requests": 2,
            "answered": 2,
            "median": 60 * 60,
            "p90": pytest.approx((30 + 0.9 * 60) * 60),
            "in_time": 0.5,
        },
        {
            "department": "Legal",
            "requests": 1,
            "answered": 0,
            "median": None,
            "p90": None,
            "in_time": None,
        },
    ]
