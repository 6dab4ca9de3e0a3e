"""The public statement: spokesperson drafts, a manager approves, a person publishes."""

import pytest
from django.urls import reverse
from django.utils import translation

from core.errors import DomainError
from crisis import statements
from crisis.models import StatementStatus
from outbound.models import Delivery, Endpoint, Purpose
from tests.crisis.helpers import escalate, member, red, seat
from tests.factories import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Domain errors are read in English here; the pages' own language is tested elsewhere."""
    with translation.override("en"):
        yield


TEXT = (
    "Lamentamos el cobro doble que vieron varios clientes. Ya estamos devolviendo cada cargo "
    "y les escribiremos en privado hoy mismo."
)
#: Blames the customers, and the tone check says so.
BLAMING = (
    "Lamentamos el cobro doble, pero es su culpa: debieron leer los terminos del "
    "servicio antes de pagar. Hoy mismo les escribiremos."
)


@pytest.fixture
def crisis(aurora, carla):
    seat(carla, aurora, spokesperson=True)
    [row] = escalate(aurora, [red()])
    return row.crisis


@pytest.fixture
def manager(aurora):
    return member("beatriz", aurora, committee_role="manager")


@pytest.fixture
def publishing(aurora):
    return Endpoint.objects.create(
        brand=aurora, purpose=Purpose.PUBLISHING, url="http://publisher.test/hook"
    )


def test_an_unapproved_statement_cannot_be_published(crisis, carla, manager, publishing):
    draft = statements.statement_draft(crisis_id=crisis.pk, actor=carla, body=TEXT)
    for by_hand in (False, True):
        with pytest.raises(DomainError):
            statements.statement_publish(statement_id=draft.pk, actor=manager, by_hand=by_hand)
    draft.refresh_from_db()
    assert draft.status == StatementStatus.DRAFT
    assert draft.published_at is None
    assert not Delivery.objects.exists()


def test_approved_by_the_manager_then_published_through_the_connector(
    crisis, carla, manager, publishing
):
    draft = statements.statement_draft(crisis_id=crisis.pk, actor=carla, body=TEXT)
    statements.statement_approve(statement_id=draft.pk, actor=manager)
    published = statements.statement_publish(statement_id=draft.pk, actor=carla)
    assert published.status == StatementStatus.PUBLISHED
    assert published.approved_by == manager
    assert published.published_by == carla
    delivery = Delivery.objects.get(pk=published.delivery_id)
    assert delivery.endpoint == publishing
    assert delivery.event == "statement.publish"
    assert delivery.payload["text"] == TEXT
    assert delivery.payload["approved_by"] == "beatriz"


def test_only_a_member_with_decision_power_approves(crisis, carla, sam):
    draft = statements.statement_draft(crisis_id=crisis.pk, actor=carla, body=TEXT)
    for someone in (carla, sam):
        with pytest.raises(DomainError):
            statements.statement_approve(statement_id=draft.pk, actor=someone)


def test_only_the_spokesperson_drafts_once_one_is_named(crisis, manager):
    with pytest.raises(DomainError):
        statements.statement_draft(crisis_id=crisis.pk, actor=manager, body=TEXT)


def test_rewriting_an_approved_statement_needs_approval_again(crisis, carla, manager):
    draft = statements.statement_draft(crisis_id=crisis.pk, actor=carla, body=TEXT)
    statements.statement_approve(statement_id=draft.pk, actor=manager)
    rewritten = statements.statement_draft(
        crisis_id=crisis.pk, actor=carla, body=TEXT + " Gracias.", statement_id=draft.pk
    )
    assert rewritten.status == StatementStatus.DRAFT
    assert rewritten.approved_by is None
    with pytest.raises(DomainError):
        statements.statement_publish(statement_id=draft.pk, actor=carla, by_hand=True)


def test_without_a_publishing_tool_it_is_marked_sent_by_hand(crisis, carla, manager):
    draft = statements.statement_draft(crisis_id=crisis.pk, actor=carla, body=TEXT)
    statements.statement_approve(statement_id=draft.pk, actor=manager)
    with pytest.raises(DomainError):
        statements.statement_publish(statement_id=draft.pk, actor=carla)
    sent = statements.statement_publish(statement_id=draft.pk, actor=carla, by_hand=True)
    assert sent.status == StatementStatus.SENT_BY_HAND
    assert sent.published_at is not None


def test_the_room_walks_the_statement_from_draft_to_published(
    client, crisis, carla, manager, publishing
):
    sign_in(client, "carla")
    client.post(reverse("statement-save", args=[crisis.pk]), {"body": TEXT})
    [statement] = crisis.statements.all()
    client.post(reverse("statement-publish", args=[statement.pk]))
    statement.refresh_from_db()
    assert statement.status == StatementStatus.DRAFT  # refused: not approved
    client.logout()
    sign_in(client, "beatriz")
    page = client.get(reverse("crisis-room", args=[crisis.pk])).content.decode()
    assert reverse("statement-approve", args=[statement.pk]) in page
    client.post(reverse("statement-approve", args=[statement.pk]))
    client.post(reverse("statement-publish", args=[statement.pk]))
    statement.refresh_from_db()
    assert statement.status == StatementStatus.PUBLISHED


def test_another_brand_cannot_touch_the_statement(client, crisis, carla, rapimenu):
    draft = statements.statement_draft(crisis_id=crisis.pk, actor=carla, body=TEXT)
    member("rita", rapimenu, committee_role="manager")
    sign_in(client, "rita")
    assert client.post(reverse("statement-approve", args=[draft.pk])).status_code == 404


# --- tone ------------------------------------------------------------------------------------


def test_the_statement_gets_the_replies_tone_check(crisis, carla):
    calm = statements.statement_draft(crisis_id=crisis.pk, actor=carla, body=TEXT)
    assert calm.tone_warnings == []
    blaming = statements.statement_draft(crisis_id=crisis.pk, actor=carla, body=BLAMING)
    assert [w["kind"] for w in blaming.tone_warnings] == ["blame"]
    assert blaming.tone_warnings[0]["evidence"] == "es su culpa"
    unapologetic = statements.statement_draft(
        crisis_id=crisis.pk, actor=carla, body="Ya estamos devolviendo cada cargo."
    )
    assert [w["kind"] for w in unapologetic.tone_warnings] == ["missing_apology"]
    idle = statements.statement_draft(
        crisis_id=crisis.pk, actor=carla, body="Lamentamos lo ocurrido a nuestros clientes."
    )
    assert [w["kind"] for w in idle.tone_warnings] == ["no_next_step"]


def test_a_rewrite_is_checked_again(crisis, carla):
    draft = statements.statement_draft(crisis_id=crisis.pk, actor=carla, body=BLAMING)
    rewritten = statements.statement_draft(
        crisis_id=crisis.pk, actor=carla, body=TEXT, statement_id=draft.pk
    )
    assert rewritten.tone_warnings == []


def test_a_statement_with_warnings_is_approved_only_once_reread(crisis, carla, manager):
    draft = statements.statement_draft(crisis_id=crisis.pk, actor=carla, body=BLAMING)
    with pytest.raises(DomainError, match="Reread the tone warnings"):
        statements.statement_approve(statement_id=draft.pk, actor=manager)
    draft.refresh_from_db()
    assert draft.status == StatementStatus.DRAFT
    assert draft.approved_at is None
    approved = statements.statement_approve(
        statement_id=draft.pk, actor=manager, tone_reviewed=True
    )
    assert approved.status == StatementStatus.APPROVED
    event = crisis.events.filter(data__statement=draft.pk, data__status="approved").get()
    assert event.data["tone"] == ["blame"]
    assert event.data["tone_reviewed"] is True


def test_the_approver_sees_the_warnings_and_confirms_in_the_room(client, crisis, carla, manager):
    draft = statements.statement_draft(crisis_id=crisis.pk, actor=carla, body=BLAMING)
    sign_in(client, "beatriz")
    page = client.get(reverse("crisis-room", args=[crisis.pk])).content.decode()
    assert 'class="tone-warnings"' in page
    assert "es su culpa" in page
    assert 'name="tone_reviewed"' in page
    client.post(reverse("statement-approve", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == StatementStatus.DRAFT  # refused: not confirmed
    client.post(reverse("statement-approve", args=[draft.pk]), {"tone_reviewed": "1"})
    draft.refresh_from_db()
    assert draft.status == StatementStatus.APPROVED


def test_a_calm_statement_asks_no_confirmation(client, crisis, carla, manager):
    statements.statement_draft(crisis_id=crisis.pk, actor=carla, body=TEXT)
    sign_in(client, "beatriz")
    page = client.get(reverse("crisis-room", args=[crisis.pk])).content.decode()
    assert 'name="tone_reviewed"' not in page
    assert 'class="tone-warnings"' not in page
