"""Supervisors edit their brand's protocol in the dashboard; the protocol decides the ways out."""

import pytest
from django.urls import reverse
from django.utils import translation

from brands.grants import grant_role
from brands.roles import Role
from cases import workflow
from cases.models import AuditEvent, Case, Department, Outcome
from core.errors import DomainError
from core.taxonomy import Category, Level
from replies import protocols
from replies.models import Protocol, ReplyTemplate
from tests.conftest import _person
from tests.factories import case_with_comment, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _client(client, user):
    sign_in(client, user.username)
    return client


def _pqr_green(brand) -> Protocol:
    return protocols.protocol_for(brand=brand, category="pqr", level="green")


def _steps(*texts: str) -> list[protocols.StepEdit]:
    return [protocols.StepEdit(id=None, text=text) for text in texts]


def _post_data(protocol: Protocol, **overrides) -> dict:
    """The edit form as the page sends it back untouched, plus ``overrides``."""
    templates = list(protocol.templates.order_by("pk"))
    steps = list(protocol.step_rows.order_by("position"))
    data = {
        "outcomes": list(protocol.outcomes),
        "intermediate_solutions": "\n".join(protocol.solution_names()),
        "templates-TOTAL_FORMS": str(len(templates) + 1),
        "templates-INITIAL_FORMS": str(len(templates)),
        "templates-MIN_NUM_FORMS": "0",
        "templates-MAX_NUM_FORMS": "1000",
        "steps-TOTAL_FORMS": str(len(steps) + 1),
        "steps-INITIAL_FORMS": str(len(steps)),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        f"steps-{len(steps)}-owner_role": "community_manager",
    }
    for i, step in enumerate(steps):
        data.update(
            {
                f"steps-{i}-id": str(step.pk),
                f"steps-{i}-protocol": str(protocol.pk),
                f"steps-{i}-text": step.text,
                f"steps-{i}-owner_role": step.owner_role,
                f"steps-{i}-owner_department": str(step.owner_department_id or ""),
                f"steps-{i}-expected_minutes": str(step.expected_minutes or ""),
            }
        )
    if protocol.requires_approval:
        data["requires_approval"] = "on"
    for i, t in enumerate(templates):
        data.update(
            {
                f"templates-{i}-id": str(t.pk),
                f"templates-{i}-protocol": str(protocol.pk),
                f"templates-{i}-name": t.name,
                f"templates-{i}-language": t.language,
                f"templates-{i}-body": t.body,
            }
        )
        if t.private_handoff:
            data[f"templates-{i}-private_handoff"] = "on"
    data.update(overrides)
    return data


def test_the_list_shows_every_category_and_level_seeding_the_missing_ones(
    client, sam, aurora, rapimenu
):
    _pqr_green(aurora)
    response = _client(client, sam).get(reverse("protocols"))
    assert response.status_code == 200
    assert Protocol.objects.filter(brand=aurora).count() == 12
    assert not Protocol.objects.filter(brand=rapimenu).exists()
    listed = {p.pk for p in response.context["protocols"]}
    assert listed == set(Protocol.objects.filter(brand=aurora).values_list("pk", flat=True))
    insult_red = Protocol.objects.get(brand=aurora, category="insult", level="red")
    assert insult_red.templates.filter(private_handoff=True).count() == 2
    assert Outcome.TROLL in insult_red.outcomes


@pytest.mark.parametrize("who", ["alice", "carla", "bruno", "mallory"])
def test_only_a_supervisor_of_the_brand_reaches_the_protocol_pages(client, who, request, aurora):
    user = request.getfixturevalue(who)
    protocol = _pqr_green(aurora)
    _client(client, user)
    assert client.get(reverse("protocols")).status_code == 403
    assert client.get(reverse("protocol-edit", args=[protocol.pk])).status_code == 403


def test_another_brands_protocol_is_not_found_even_for_a_supervisor(client, sam, rapimenu):
    rapi_protocol = _pqr_green(rapimenu)
    _client(client, sam)
    assert client.get(reverse("protocol-edit", args=[rapi_protocol.pk])).status_code == 404
    response = client.post(
        reverse("protocol-edit", args=[rapi_protocol.pk]),
        _post_data(rapi_protocol, **{"steps-0-text": "Hacked"}),
    )
    assert response.status_code == 404
    assert "Hacked" not in rapi_protocol.step_list()
    with pytest.raises(Protocol.DoesNotExist):
        protocols.protocol_save(
            protocol_id=rapi_protocol.pk,
            actor=sam,
            steps=_steps("Hacked"),
            intermediate_solutions=[],
            outcomes=["solved"],
            requires_approval=False,
            templates=[],
        )


def test_a_supervisor_edits_steps_outcomes_approval_and_templates_with_an_audit_event(
    client, sam, aurora
):
    protocol = _pqr_green(aurora)
    [first, *_rest] = protocol.templates.order_by("pk")
    count = protocol.templates.count()
    form = _client(client, sam).get(reverse("protocol-edit", args=[protocol.pk]))
    assert form.status_code == 200
    html = form.content.decode()
    assert 'name="outcomes" value="solved"' in html
    assert 'value="troll"' in html
    assert html.count('name="templates-') > count * 4
    assert first.body in html
    billing = Department.objects.create(brand=aurora, name="Facturación", email="b@a.example")
    seeded = list(protocol.step_rows.order_by("position"))
    assert len(seeded) == 4
    data = _post_data(
        protocol,
        outcomes=["solved"],
        requires_approval="on",
        **{
            "steps-0-text": "  Saluda ",
            "steps-0-owner_role": "supervisor",
            "steps-0-expected_minutes": "30",
            "steps-1-DELETE": "on",
            "steps-2-DELETE": "on",
            "steps-4-text": "Resuelve",
            "steps-4-owner_department": str(billing.pk),
            "templates-0-body": "Hola {customer_name}, caso #{case_number} en {brand}.",
            "templates-1-DELETE": "on",
            f"templates-{count}-name": "Nueva",
            f"templates-{count}-language": "en",
            f"templates-{count}-body": "Hi {customer_name}, {department} has it.",
            f"templates-{count}-private_handoff": "on",
        },
    )
    response = _client(client, sam).post(reverse("protocol-edit", args=[protocol.pk]), data)
    assert response.status_code == 302
    protocol.refresh_from_db()
    assert protocol.step_list() == ["Saluda", seeded[3].text, "Resuelve"]
    first_step, _kept, added = protocol.step_rows.order_by("position")
    assert first_step.pk == seeded[0].pk  # edited in place: cases that ticked it keep it
    assert (first_step.owner_role, first_step.expected_minutes) == ("supervisor", 30)
    assert (added.owner_department, added.owner_label) == (billing, "Facturación")
    assert protocol.outcomes == ["solved"]
    assert protocol.solution_names() == []  # no intermediate way out, no solutions
    assert protocol.requires_approval is True
    assert protocol.updated_by == sam
    first.refresh_from_db()
    assert first.body == "Hola {customer_name}, caso #{case_number} en {brand}."
    assert protocol.templates.count() == count  # one deleted, one added
    new = protocol.templates.get(name="Nueva")
    assert (new.language, new.private_handoff) == ("en", True)
    [event] = AuditEvent.objects.filter(action="protocol_changed")
    assert event.actor == sam
    assert event.before["protocol"] == event.after["protocol"] == protocol.pk
    assert event.before["requires_approval"] is False
    assert event.after["requires_approval"]
    assert event.before["outcomes"] == ["solved", "intermediate"]
    assert event.after["outcomes"] == ["solved"]
    assert "Nueva" in [t["name"] for t in event.after["templates"]]


def test_an_unknown_placeholder_is_a_form_error_that_names_it(client, sam, aurora):
    protocol = _pqr_green(aurora)
    body_before = protocol.templates.order_by("pk").first().body
    data = _post_data(protocol, **{"templates-0-body": "Hola {nombre}, caso {case_number}"})
    response = _client(client, sam).post(reverse("protocol-edit", args=[protocol.pk]), data)
    assert response.status_code == 400
    assert "{nombre}" in response.content.decode()
    assert protocol.templates.order_by("pk").first().body == body_before
    assert not AuditEvent.objects.filter(action="protocol_changed").exists()


def test_the_domain_function_refuses_what_the_form_would_refuse(sam, aurora):
    protocol = _pqr_green(aurora)
    edit = protocols.TemplateEdit(id=None, name="x", language="es", body="Hola {cliente}")
    with pytest.raises(DomainError, match=r"\{cliente\}"):
        protocols.protocol_save(
            protocol_id=protocol.pk,
            actor=sam,
            steps=_steps("a"),
            intermediate_solutions=[],
            outcomes=["solved"],
            requires_approval=False,
            templates=[edit],
        )
    with pytest.raises(DomainError, match="way out"):
        protocols.protocol_save(
            protocol_id=protocol.pk,
            actor=sam,
            steps=_steps("a"),
            intermediate_solutions=[],
            outcomes=[],
            requires_approval=False,
            templates=[],
        )
    with pytest.raises(DomainError, match="way out"):
        protocols.protocol_save(
            protocol_id=protocol.pk,
            actor=sam,
            steps=_steps("a"),
            intermediate_solutions=[],
            outcomes=["solved", "refund"],
            requires_approval=False,
            templates=[],
        )
    with pytest.raises(DomainError, match="step"):
        protocols.protocol_save(
            protocol_id=protocol.pk,
            actor=sam,
            steps=_steps("  "),
            intermediate_solutions=[],
            outcomes=["solved"],
            requires_approval=False,
            templates=[],
        )
    assert not AuditEvent.objects.filter(action="protocol_changed").exists()


def test_a_template_of_another_protocol_cannot_be_edited_through_this_one(sam, aurora):
    protocol = _pqr_green(aurora)
    other = protocols.protocol_for(brand=aurora, category="insult", level="yellow")
    foreign = other.templates.first()
    edit = protocols.TemplateEdit(id=foreign.pk, name="x", language="es", body="Hola")
    with pytest.raises(ReplyTemplate.DoesNotExist):
        protocols.protocol_save(
            protocol_id=protocol.pk,
            actor=sam,
            steps=_steps("a"),
            intermediate_solutions=[],
            outcomes=["solved"],
            requires_approval=False,
            templates=[edit],
        )
    foreign.refresh_from_db()
    assert foreign.body != "Hola"


def test_a_community_manager_cannot_save_a_protocol_through_the_domain(alice, aurora):
    protocol = _pqr_green(aurora)
    with pytest.raises(Protocol.DoesNotExist):
        protocols.protocol_save(
            protocol_id=protocol.pk,
            actor=alice,
            steps=_steps("a"),
            intermediate_solutions=[],
            outcomes=["solved"],
            requires_approval=False,
            templates=[],
        )


def test_resolving_refuses_an_outcome_the_protocol_does_not_allow(alice, sam, aurora):
    case = case_with_comment(brand=aurora, category=Category.PQR, level=Level.GREEN)
    assert (case.category, case.level) == ("pqr", "green")
    workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)
    workflow.case_move(case_id=case.pk, actor=alice, action="start")
    with pytest.raises(DomainError, match="does not allow"):
        workflow.case_move(case_id=case.pk, actor=alice, action="resolve", outcome=Outcome.TROLL)
    assert Case.objects.get(pk=case.pk).status == "in_progress"
    # The supervisor narrows the protocol: "intermediate" is no longer a way out.
    protocols.protocol_save(
        protocol_id=_pqr_green(aurora).pk,
        actor=sam,
        steps=_steps("a"),
        intermediate_solutions=[],
        outcomes=["solved"],
        requires_approval=False,
        templates=[],
    )
    with pytest.raises(DomainError, match="does not allow"):
        workflow.case_move(
            case_id=case.pk, actor=alice, action="resolve", outcome=Outcome.INTERMEDIATE
        )
    workflow.case_move(case_id=case.pk, actor=alice, action="resolve", outcome=Outcome.SOLVED)
    assert Case.objects.get(pk=case.pk).status == "resolved"


def test_the_case_page_offers_only_the_outcomes_the_protocol_allows(client, alice, aurora):
    case = case_with_comment(brand=aurora, category=Category.PQR, level=Level.GREEN)
    workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)
    workflow.case_move(case_id=case.pk, actor=alice, action="start")
    page = _client(client, alice).get(reverse("case-detail", args=[case.pk])).content.decode()
    assert 'value="solved"' in page
    assert 'value="intermediate"' in page
    assert 'value="troll"' not in page


def test_a_supervisor_of_two_brands_sees_both_when_no_brand_is_chosen(client, aurora, rapimenu):
    vera = _person("vera", Role.SUPERVISOR, rapimenu)
    grant_role(vera, Role.SUPERVISOR, brand=aurora)
    response = _client(client, vera).get(reverse("protocols"))
    assert response.status_code == 200
    assert len(response.context["protocols"]) == 24
    assert response.context["show_brand"] is True


def test_protocol_list_query_count_is_pinned_once_seeded(
    client, sam, django_assert_max_num_queries
):
    _client(client, sam).get(reverse("protocols"))
    with django_assert_max_num_queries(9):
        client.get(reverse("protocols"))


def test_the_blank_template_row_as_the_browser_sends_it_is_ignored(client, sam, aurora):
    protocol = _pqr_green(aurora)
    count = protocol.templates.count()
    data = _post_data(
        protocol,
        requires_approval="on",
        **{
            f"templates-{count}-name": "",
            f"templates-{count}-language": "es",
            f"templates-{count}-body": "",
        },
    )
    response = _client(client, sam).post(reverse("protocol-edit", args=[protocol.pk]), data)
    assert response.status_code == 302
    assert protocol.templates.count() == count
    assert Protocol.objects.get(pk=protocol.pk).requires_approval is True
