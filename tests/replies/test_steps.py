"""Protocol steps with owners and times, ticked off on cases; approved intermediate solutions.

The seed texts: a process where "cada paso con responsables, indicadores de gestión y el
seguimiento", and an intermediate solution "aprobada en el protocolo"."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone, translation

from cases import workflow
from cases.models import AuditEvent, Case, CaseStatus, Department, Outcome
from core.errors import DomainError
from core.taxonomy import Category, Level
from replies import protocols, steps
from replies.models import CaseStep, StepOwner
from tests.factories import case_with_comment, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The rules' messages in English, to match on; the page test chooses its own language."""
    with translation.override("en"):
        yield


def _pqr_case(brand, person):
    case = case_with_comment(brand=brand, category=Category.PQR, level=Level.GREEN)
    workflow.case_assign(case_id=case.pk, actor=person, assignee=person)
    return Case.objects.get(pk=case.pk)


def _steps_of(case):
    return steps.case_steps(case)


def test_a_brand_starts_with_steps_that_name_their_owner_and_time_and_approved_solutions(aurora):
    pqr = protocols.protocol_for(brand=aurora, category="pqr", level="green")
    rows = list(pqr.step_rows.order_by("position"))
    assert len(rows) == 4
    assert rows[0].owner_role == StepOwner.COMMUNITY_MANAGER
    assert rows[0].expected_minutes == 60
    assert "Reembolso parcial" in pqr.solution_names()
    at_risk = protocols.protocol_for(brand=aurora, category="pqr", level="yellow")
    assert at_risk.step_rows.filter(owner_role=StepOwner.SUPERVISOR).exists()
    other = protocols.protocol_for(brand=aurora, category="other", level="green")
    assert other.solution_names() == []  # no intermediate way out, nothing to approve


def test_a_person_ticks_a_step_off_and_the_case_shows_by_whom_and_when(alice, aurora):
    case = _pqr_case(aurora, alice)
    first = _steps_of(case)[0]
    assert first.done is None
    record = steps.case_step_done(case_id=case.pk, actor=alice, step_id=first.step.pk)
    assert (record.done_by, record.text, record.owner) == (
        alice,
        first.step.text,
        StepOwner.COMMUNITY_MANAGER,  # in no one's language: the figures group by it
    )
    shown = _steps_of(case)[0]
    assert shown.done == record
    assert not shown.late  # done at once, well within the hour
    event = AuditEvent.objects.get(case=case, action="step_done")
    assert (event.actor, event.after["position"]) == (alice, 1)
    with pytest.raises(DomainError, match="alice"):
        steps.case_step_done(case_id=case.pk, actor=alice, step_id=first.step.pk)
    assert CaseStep.objects.filter(case=case).count() == 1


def test_a_tick_given_by_mistake_is_taken_back_and_both_are_audited(alice, aurora):
    case = _pqr_case(aurora, alice)
    step = _steps_of(case)[1].step
    with pytest.raises(DomainError, match="not marked done"):
        steps.case_step_undone(case_id=case.pk, actor=alice, step_id=step.pk)
    steps.case_step_done(case_id=case.pk, actor=alice, step_id=step.pk)
    steps.case_step_undone(case_id=case.pk, actor=alice, step_id=step.pk)
    assert _steps_of(case)[1].done is None
    actions = AuditEvent.objects.filter(case=case, action__startswith="step_")
    assert sorted(actions.values_list("action", flat=True)) == ["step_done", "step_undone"]


def test_only_the_cases_own_steps_by_the_people_who_work_it(alice, bruno, sam, aurora, rapimenu):
    case = _pqr_case(aurora, alice)
    foreign = protocols.protocol_for(brand=aurora, category="insult", level="yellow")
    with pytest.raises(DomainError, match="not in this case's protocol"):
        steps.case_step_done(case_id=case.pk, actor=alice, step_id=foreign.step_rows.first().pk)
    step = _steps_of(case)[0].step
    with pytest.raises(Case.DoesNotExist):  # another brand's person: not found
        steps.case_step_done(case_id=case.pk, actor=bruno, step_id=step.pk)
    steps.case_step_done(case_id=case.pk, actor=sam, step_id=step.pk)  # a supervisor may
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    with pytest.raises(DomainError, match="closed"):
        steps.case_step_undone(case_id=case.pk, actor=alice, step_id=step.pk)


def test_a_step_past_its_time_is_late_done_or_not(alice, aurora):
    case = _pqr_case(aurora, alice)
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - timedelta(hours=3))
    case.refresh_from_db()
    first, second, third, daily = _steps_of(case)  # within 60, 120, 240 minutes, none
    assert first.late
    assert second.late
    assert not third.late
    assert not daily.late
    steps.case_step_done(case_id=case.pk, actor=alice, step_id=first.step.pk)
    assert _steps_of(case)[0].late  # done, but after its hour


def test_what_was_done_stays_as_it_was_when_the_protocol_changes(alice, sam, aurora):
    case = _pqr_case(aurora, alice)
    step = _steps_of(case)[0].step
    steps.case_step_done(case_id=case.pk, actor=alice, step_id=step.pk)
    protocol = protocols.protocol_for(brand=aurora, category="pqr", level="green")
    edits = [
        protocols.StepEdit(id=s.pk, text=f"{s.text} (v2)", expected_minutes=5)
        for s in protocol.step_rows.order_by("position")
    ]
    protocols.protocol_save(
        protocol_id=protocol.pk,
        actor=sam,
        steps=edits,
        outcomes=["solved", "intermediate"],
        requires_approval=False,
        templates=[],
        intermediate_solutions=protocol.solution_names(),
    )
    record = CaseStep.objects.get(case=case)
    assert record.step_id == step.pk  # still linked: the step was edited, not replaced
    assert record.text == step.text
    assert record.expected_minutes == 60
    assert _steps_of(case)[0].step.text.endswith("(v2)")


def test_the_protocol_refuses_steps_and_solutions_that_make_no_sense(sam, aurora, rapimenu):
    protocol = protocols.protocol_for(brand=aurora, category="pqr", level="green")
    theirs = Department.objects.create(brand=rapimenu, name="Cocina", email="c@r.example")

    def save(steps_, solutions=("Reembolso parcial",), outcomes=("solved", "intermediate")):
        protocols.protocol_save(
            protocol_id=protocol.pk,
            actor=sam,
            steps=steps_,
            outcomes=list(outcomes),
            requires_approval=False,
            templates=[],
            intermediate_solutions=list(solutions),
        )

    with pytest.raises(DomainError, match="departments") as refused:
        save([protocols.StepEdit(None, "Cocina revisa", owner_department_id=theirs.pk)])
    assert (refused.value.field, refused.value.index) == ("owner_department", 0)
    with pytest.raises(DomainError, match="between 1 and"):
        save([protocols.StepEdit(None, "Responde", expected_minutes=0)])
    with pytest.raises(DomainError, match="who owns"):
        save([protocols.StepEdit(None, "Responde", owner_role="intern")])
    with pytest.raises(DomainError, match="intermediate solution"):
        save([protocols.StepEdit(None, "Responde")], solutions=["  "])
    save([protocols.StepEdit(None, "Responde")], solutions=[], outcomes=["solved"])
    assert protocol.step_list() == ["Responde"]
    assert protocol.solution_names() == []


def test_an_intermediate_solution_must_be_one_the_protocol_approved(alice, aurora):
    case = _pqr_case(aurora, alice)
    workflow.case_move(case_id=case.pk, actor=alice, action="start")
    for chosen in ("", "Un viaje a Cancún"):
        with pytest.raises(DomainError, match="approved") as refused:
            workflow.case_move(
                case_id=case.pk,
                actor=alice,
                action="resolve",
                outcome=Outcome.INTERMEDIATE,
                intermediate_solution=chosen,
            )
        assert refused.value.field == "intermediate_solution"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_PROGRESS
    workflow.case_move(
        case_id=case.pk,
        actor=alice,
        action="resolve",
        outcome=Outcome.INTERMEDIATE,
        intermediate_solution="Reembolso parcial",
    )
    event = AuditEvent.objects.get(case=case, action="case_resolve")
    assert event.after["intermediate_solution"] == "Reembolso parcial"


@pytest.mark.parametrize(
    ("language", "mark", "done_by"),
    [("es", "Marcar como hecho", "hecho por"), ("en", "Mark done", "done by")],
)
def test_the_case_page_ticks_steps_and_resolves_with_a_solution(
    client, alice, aurora, language, mark, done_by
):
    case = _pqr_case(aurora, alice)
    workflow.case_move(case_id=case.pk, actor=alice, action="start")
    sign_in(client, "alice")
    with translation.override(language):
        page = client.get(reverse("case-detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE=language)
        html = page.content.decode()
        assert html.count(mark) == 4
        assert "Reembolso parcial" in html  # offered on the resolve form
        step = _steps_of(case)[0].step
        answer = client.post(
            reverse("case-step", args=[case.pk, step.pk]),
            {"done": "1"},
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert answer.status_code == 302
        html = client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert html.count(mark) == 3
        assert f"{done_by} alice" in html
        client.post(
            reverse("case-action", args=[case.pk, "resolve"]),
            {"outcome": "intermediate", "intermediate_solution": "Reembolso parcial"},
        )
    case.refresh_from_db()
    assert (case.outcome, case.intermediate_solution) == ("intermediate", "Reembolso parcial")


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_turns_each_line_of_a_protocol_into_a_step():
    executor = MigrationExecutor(connection)
    before = [
        ("replies", "0004_faq_and_verified_facts"),
        ("cases", "0014_audit_author_erased_and_retention"),
    ]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    brand = old.get_model("brands", "Brand").objects.create(name="Aurora", slug="aurora")
    protocol = old.get_model("replies", "Protocol").objects.create(
        brand=brand,
        category="pqr",
        level="green",
        steps="Saluda\n\n  Resuelve  \n",
        outcomes=["solved", "intermediate"],
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    migrated = protocols.Protocol.objects.get(pk=protocol.pk)
    assert migrated.step_list() == ["Saluda", "Resuelve"]
    assert {s.owner_role for s in migrated.step_rows.all()} == {StepOwner.COMMUNITY_MANAGER}
    migration = import_module("replies.migrations.0005_protocol_steps_owners_solutions")
    assert migrated.solution_names() == sorted(migration.STARTING_SOLUTIONS)
