"""A supervisor manages the people of their own brand, and of no other (brands.team)."""

from functools import partial

import pytest
from django.contrib.auth import get_user_model
from django.http import Http404
from django.urls import reverse
from django.utils import translation

from brands import team
from brands.models import Membership
from brands.roles import Role
from cases.models import AuditEvent
from comments import intake
from core.errors import DomainError
from tests.conftest import PASSWORD, _person
from tests.factories import comment_item

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lantern-orbit-velvet-42"


@pytest.fixture
def sofia(aurora):
    """A second supervisor at Aurora, so sam is not the last one."""
    return _person("sofia", Role.SUPERVISOR, aurora)


@pytest.fixture
def rita(rapimenu):
    """RapiMenu's supervisor."""
    return _person("rita", Role.SUPERVISOR, rapimenu)


@pytest.fixture
def victor(aurora, rapimenu):
    """An agency's supervisor who manages both brands."""
    user = _person("victor", Role.SUPERVISOR, aurora)
    Membership.objects.create(user=user, brand=rapimenu, role=Role.SUPERVISOR)
    return user


@pytest.fixture
def staff(client, sam, alice, carla, bruno):
    client.force_login(sam)
    return client


def membership(user, brand) -> Membership:
    return Membership.objects.get(user=user, brand=brand)


def add(client, brand, **fields):
    data = {"brand": brand.pk, "role": Role.COMMUNITY_MANAGER.value, **fields}
    return client.post(reverse("team-member-add"), data)


# --- Who may open the page ----------------------------------------------------------------------


def test_team_page_asks_for_login(client, aurora):
    response = client.get(reverse("team"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", ["alice", "bruno", "carla", "mallory"])
def test_people_who_do_not_manage_a_team_are_refused(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("team")).status_code == 403
    assert client.post(reverse("team-member-add"), {}).status_code == 403


def test_team_link_shows_only_to_those_who_manage_a_team(client, sam, alice):
    client.force_login(sam)
    assert reverse("team") in client.get(reverse("queue")).content.decode()
    client.force_login(alice)
    assert reverse("team") not in client.get(reverse("queue")).content.decode()


def test_team_page_lists_the_brands_people_and_no_one_else(staff, aurora):
    response = staff.get(reverse("team"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Equipo de Banco Aurora" in html
    assert {m.user.username for m in response.context["members"]} == {"alice", "carla", "sam"}
    assert "alice@example.com" in html
    assert "bruno" not in html


def test_team_page_query_count_is_pinned(staff, aurora, django_assert_max_num_queries):
    for n in range(20):
        _person(f"cm{n}", Role.COMMUNITY_MANAGER, aurora)
    with django_assert_max_num_queries(9):
        response = staff.get(reverse("team"))
    assert len(response.context["members"]) == 23


def test_a_supervisor_of_several_brands_chooses_one_first(client, victor, aurora, rapimenu, bruno):
    client.force_login(victor)
    response = client.get(reverse("team"))
    assert response.status_code == 200
    assert "members" not in response.context
    assert set(response.context["brands"]) == {aurora, rapimenu}

    client.post(reverse("brand-switch"), {"brand": rapimenu.pk, "next": reverse("team")})
    response = client.get(reverse("team"))
    assert response.context["brand"] == rapimenu
    assert {m.user.username for m in response.context["members"]} == {"bruno", "victor"}


# --- Adding people ------------------------------------------------------------------------------


def test_sam_adds_a_new_person_who_logs_in_and_sees_auroras_queue(staff, aurora, rapimenu):
    response = add(
        staff,
        aurora,
        username="nina",
        email="nina@example.com",
        first_name="Nina",
        last_name="Paz",
        password=NEW_PASSWORD,
    )
    assert response.status_code == 302
    nina = get_user_model().objects.get(username="nina")
    assert (nina.email, nina.get_full_name()) == ("nina@example.com", "Nina Paz")
    assert membership(nina, aurora).role == Role.COMMUNITY_MANAGER
    assert "Nina Paz" in staff.get(reverse("team")).content.decode()

    intake.ingest([comment_item(external_id="aurora-1")], brand_id=aurora.pk)
    partial(intake.ingest, brand_id=rapimenu.pk)([comment_item(external_id="rapi-1")])
    staff.logout()
    signed_in = staff.post(reverse("login"), {"username": "nina", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    queue = staff.get(reverse("queue"))
    assert queue.status_code == 200
    assert [c.external_id for c in queue.context["page"].object_list] == ["aurora-1"]


def test_adding_a_new_person_is_audited(staff, sam, aurora):
    add(
        staff,
        aurora,
        username="nina",
        email="nina@example.com",
        password=NEW_PASSWORD,
        role=Role.CRISIS_COMMITTEE.value,
    )
    event = AuditEvent.objects.get(action="member_added")
    assert event.actor == sam
    assert event.before == {}
    assert event.after == {
        "brand": "aurora",
        "username": "nina",
        "role": "crisis_committee",
        "new_user": True,
    }
    assert (event.comment, event.case) == (None, None)


def test_sam_adds_an_existing_user_without_touching_their_account(staff, aurora, rapimenu, bruno):
    response = add(
        staff,
        aurora,
        username="bruno",
        email="other@example.com",
        first_name="Impostor",
        password=NEW_PASSWORD,
    )
    assert response.status_code == 302
    bruno.refresh_from_db()
    assert bruno.check_password(PASSWORD)
    assert (bruno.email, bruno.first_name) == ("bruno@example.com", "")
    assert set(bruno.memberships.values_list("brand__slug", flat=True)) == {"aurora", "rapimenu"}
    event = AuditEvent.objects.get(action="member_added")
    assert event.after["new_user"] is False


def test_a_person_already_in_the_brand_is_refused(staff, alice, aurora):
    response = add(staff, aurora, username="alice", role=Role.SUPERVISOR.value)
    assert response.status_code == 400
    assert "alice ya trabaja para Banco Aurora." in response.context["form"].errors["username"]
    assert membership(alice, aurora).role == Role.COMMUNITY_MANAGER
    assert not AuditEvent.objects.exists()


def test_a_weak_password_gives_a_form_error_and_creates_nothing(staff, aurora):
    response = add(staff, aurora, username="nina", email="nina@example.com", password="12345")
    assert response.status_code == 400
    assert response.context["form"].errors["password"]
    assert not get_user_model().objects.filter(username="nina").exists()
    assert not AuditEvent.objects.exists()


def test_a_new_person_needs_a_password(staff, aurora):
    response = add(staff, aurora, username="nina", email="nina@example.com")
    assert response.status_code == 400
    assert response.context["form"].errors["password"]
    assert not get_user_model().objects.filter(username="nina").exists()


def test_a_rest_client_cannot_join_a_team(staff, aurora, listener):
    response = add(staff, aurora, username="api:listener")
    assert response.status_code == 400
    assert not listener.memberships.exists()


def test_sam_cannot_add_people_to_another_brand(staff, rapimenu):
    response = add(
        staff, rapimenu, username="nina", email="nina@example.com", password=NEW_PASSWORD
    )
    assert response.status_code == 404
    assert not get_user_model().objects.filter(username="nina").exists()


# --- Changing roles and removing people ---------------------------------------------------------


def test_sam_changes_a_role(staff, sam, alice, aurora):
    alices = membership(alice, aurora)
    response = staff.post(
        reverse("team-member-role", args=[alices.pk]), {"role": Role.SUPERVISOR.value}
    )
    assert response.status_code == 302
    alices.refresh_from_db()
    assert alices.role == Role.SUPERVISOR
    event = AuditEvent.objects.get(action="member_role_changed")
    assert event.actor == sam
    assert event.before == {"brand": "aurora", "username": "alice", "role": "community_manager"}
    assert event.after == {"brand": "aurora", "username": "alice", "role": "supervisor"}


def test_an_unknown_role_is_refused(staff, alice, aurora):
    alices = membership(alice, aurora)
    staff.post(reverse("team-member-role", args=[alices.pk]), {"role": "superuser"})
    alices.refresh_from_db()
    assert alices.role == Role.COMMUNITY_MANAGER
    assert not AuditEvent.objects.exists()


def test_sam_removes_a_person_who_keeps_their_account(staff, sam, carla, aurora):
    response = staff.post(reverse("team-member-remove", args=[membership(carla, aurora).pk]))
    assert response.status_code == 302
    assert not carla.memberships.exists()
    assert get_user_model().objects.filter(username="carla").exists()
    event = AuditEvent.objects.get(action="member_removed")
    assert event.actor == sam
    assert event.before == {"brand": "aurora", "username": "carla", "role": "crisis_committee"}
    assert event.after == {}


def test_the_last_supervisor_cannot_demote_or_remove_himself(staff, sam, aurora):
    sams = membership(sam, aurora)
    response = staff.post(
        reverse("team-member-role", args=[sams.pk]),
        {"role": Role.COMMUNITY_MANAGER.value},
        follow=True,
    )
    assert "último supervisor" in response.content.decode()
    response = staff.post(reverse("team-member-remove", args=[sams.pk]), follow=True)
    assert "último supervisor" in response.content.decode()
    sams.refresh_from_db()
    assert sams.role == Role.SUPERVISOR
    assert not AuditEvent.objects.exists()


def test_with_a_second_supervisor_sam_can_step_down(staff, sam, sofia, aurora):
    sams = membership(sam, aurora)
    response = staff.post(
        reverse("team-member-role", args=[sams.pk]), {"role": Role.COMMUNITY_MANAGER.value}
    )
    assert response["Location"] == reverse("queue")
    sams.refresh_from_db()
    assert sams.role == Role.COMMUNITY_MANAGER
    assert staff.get(reverse("team")).status_code == 403


def test_sam_cannot_see_or_change_another_brands_memberships(staff, bruno, rita, rapimenu):
    for person in (bruno, rita):
        theirs = membership(person, rapimenu)
        role_url = reverse("team-member-role", args=[theirs.pk])
        remove_url = reverse("team-member-remove", args=[theirs.pk])
        assert staff.post(role_url, {"role": Role.CRISIS_COMMITTEE.value}).status_code == 404
        assert staff.post(remove_url).status_code == 404
    assert membership(bruno, rapimenu).role == Role.COMMUNITY_MANAGER
    assert membership(rita, rapimenu).role == Role.SUPERVISOR
    assert not AuditEvent.objects.exists()


def test_changes_need_a_post(staff, alice, aurora):
    alices = membership(alice, aurora)
    assert staff.get(reverse("team-member-remove", args=[alices.pk])).status_code == 405
    assert staff.get(reverse("team-member-add")).status_code == 405


# --- The domain functions, called directly ------------------------------------------------------


def test_a_community_manager_cannot_add_people(alice, aurora):
    with pytest.raises(DomainError):
        team.member_add(
            actor=alice,
            brand=aurora,
            username="nina",
            email="n@example.com",
            role=Role.SUPERVISOR.value,
            password=NEW_PASSWORD,
        )
    assert not get_user_model().objects.filter(username="nina").exists()


def test_a_demoted_supervisor_cannot_act_on_a_role_read_before(sam, sofia, alice, aurora):
    team.managed_brand_ids(sam)  # sam's roles are read (and cached) as a request would
    team.member_change_role(
        actor=sofia, membership_id=membership(sam, aurora).pk, role=Role.COMMUNITY_MANAGER.value
    )
    with pytest.raises((DomainError, Http404)):
        team.member_remove(actor=sam, membership_id=membership(alice, aurora).pk)
    assert alice.memberships.exists()


def test_team_page_speaks_english_too(staff, aurora):
    staff.cookies.load({"django_language": "en"})
    html = staff.get(reverse("team")).content.decode()
    assert "Team of Banco Aurora" in html
    assert "Add a person" in html


def test_a_personal_token_stops_reading_a_brand_the_moment_its_owner_leaves_it(
    aurora, rapimenu, alice, sam
):
    """alice also works for RapiMenu, so she keeps the permission itself; her Aurora token
    must still read nothing of Aurora once she is out of its team."""
    from rest_framework.test import APIClient

    from accounts.models import ApiToken

    Membership.objects.create(user=alice, brand=rapimenu, role=Role.COMMUNITY_MANAGER)
    intake.ingest(
        [comment_item(text="me cobraron dos veces", external_id="t-1")], brand_id=aurora.pk
    )
    _, raw = ApiToken.issue(user=alice, name="alice's script", brand=aurora)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    with translation.override("en"):  # the API's requests activate a language; keep ours
        listed = api.get("/api/v1/comments/").json()["results"]
        assert [comment["external_id"] for comment in listed] == ["t-1"]

        team.member_remove(actor=sam, membership_id=membership(alice, aurora).pk)

        assert api.get("/api/v1/comments/").json()["results"] == []
