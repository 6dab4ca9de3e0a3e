"""Two brands side by side: nobody reads, guesses or is told of another brand's customers.

Every model that belongs to a brand is reached here through the API, the pages and the
notifications (OWASP ASVS 8.2.2 / 8.4.1): another brand's id answers 404, never 403.
"""

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from brands.access import SESSION_KEY
from brands.grants import grant_role
from brands.roles import Role
from cases.models import Case
from comments import intake
from comments.models import Author, Comment
from crisis import escalation
from crisis.models import Escalation
from tests.conftest import _person
from tests.factories import GREEN_TEXT, RED_TEXT, comment_item

pytestmark = pytest.mark.django_db
URL = "/api/v1/comments/"
CLAIM = "Me cobraron dos veces la cuota de este mes, pueden revisar por favor?"


def post(client, body):
    return client.post(URL, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def two_brands(aurora, rapimenu):
    """The same customer and the same post id reach both brands, plus one red each."""
    shared = {"author_handle": "@ana", "external_id": "same-post-1", "text": CLAIM}
    at_aurora = intake.ingest(
        [comment_item(**shared), comment_item(text=RED_TEXT)], brand_id=aurora.pk
    )
    at_rapimenu = intake.ingest(
        [comment_item(**shared), comment_item(text=RED_TEXT)], brand_id=rapimenu.pk
    )
    return {"aurora": [r.id for r in at_aurora], "rapimenu": [r.id for r in at_rapimenu]}


@pytest.fixture
def lucia(aurora, rapimenu):
    user = _person("lucia", Role.COMMUNITY_MANAGER, aurora)
    grant_role(user, Role.COMMUNITY_MANAGER, brand=rapimenu)
    return user


# --- intake ---------------------------------------------------------------------------------


def test_the_same_post_and_customer_at_two_brands_are_separate_rows(two_brands, aurora, rapimenu):
    aurora_claim, rapimenu_claim = two_brands["aurora"][0], two_brands["rapimenu"][0]
    assert aurora_claim != rapimenu_claim
    assert Comment.objects.get(pk=aurora_claim).brand == aurora
    assert Comment.objects.get(pk=rapimenu_claim).brand == rapimenu
    assert Author.objects.filter(handle="@ana").count() == 2
    assert {case.brand_id for case in Case.objects.all()} == {aurora.pk, rapimenu.pk}
    assert Escalation.objects.filter(comment__brand=rapimenu).count() == 1


def test_a_troll_flag_at_one_brand_says_nothing_at_the_other(aurora, rapimenu):
    insult = "son unos inutiles y unos payasos, dan asco"
    intake.ingest([comment_item(author_handle="@troll", text=insult)], brand_id=aurora.pk)
    Author.objects.filter(brand=aurora, handle="@troll").update(is_troll=True)
    [flagged] = intake.ingest(
        [comment_item(author_handle="@troll", text=insult)], brand_id=aurora.pk
    )
    [unflagged] = intake.ingest(
        [comment_item(author_handle="@troll", text=insult)], brand_id=rapimenu.pk
    )
    assert (flagged.category, flagged.level) == ("insult", "green")
    assert (unflagged.category, unflagged.level) == ("insult", "yellow")


def test_each_brand_has_its_own_reach_threshold_and_deadlines(aurora, rapimenu):
    rapimenu.reach_followers = 5_000
    rapimenu.due_yellow_minutes = rapimenu.due_green_minutes = 30
    rapimenu.save()
    item = {"text": CLAIM, "author_followers": 8_000}
    [at_aurora] = intake.ingest([comment_item(**item)], brand_id=aurora.pk)
    [at_rapimenu] = intake.ingest([comment_item(**item)], brand_id=rapimenu.pk)
    assert at_aurora.level != "red"
    assert at_rapimenu.level == "red"
    assert any(r["signal"] == "reach" for r in at_rapimenu.reasons)
    case = Comment.objects.get(pk=at_rapimenu.id).case
    assert case.response_due_at - case.opened_at == timedelta(minutes=15)  # the desk's red default
    [green] = intake.ingest([comment_item(text=CLAIM, author_followers=10)], brand_id=rapimenu.pk)
    case = Comment.objects.get(pk=green.id).case
    assert case.response_due_at - case.opened_at == timedelta(minutes=30)


# --- REST API -------------------------------------------------------------------------------


def test_a_client_lists_only_its_brands_comments(api, rapi_api, two_brands):
    aurora_ids = {c["id"] for c in api.get(URL).json()["results"]}
    rapimenu_ids = {c["id"] for c in rapi_api.get(URL).json()["results"]}
    assert aurora_ids == set(two_brands["aurora"])
    assert rapimenu_ids == set(two_brands["rapimenu"])


def test_another_brands_comment_id_answers_404(api, rapi_api, two_brands):
    theirs = two_brands["rapimenu"][0]
    assert api.get(f"{URL}{theirs}/").status_code == 404
    assert rapi_api.get(f"{URL}{theirs}/").status_code == 200


def test_a_retry_of_another_brands_post_id_never_answers_with_their_comment(api, two_brands):
    response = post(api, comment_item(external_id="same-post-1", author_handle="@ana", text=CLAIM))
    assert response.status_code == 200
    assert response.json()["results"][0]["id"] == two_brands["aurora"][0]


def test_an_item_addressed_to_another_brands_account_is_refused(api, aurora, rapimenu):
    response = post(api, [comment_item(), comment_item(account="@RapiMenu")])
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 1, "field": "account", "message": "is not an account of this client's brand"}
    ]
    assert not Comment.objects.exists()


def test_an_item_addressed_to_its_own_brands_account_is_accepted(api, aurora):
    response = post(api, comment_item(account="@BancoAurora"))
    assert response.status_code == 201
    assert Comment.objects.get().brand == aurora


@pytest.fixture
def relay(aurora, rapimenu) -> APIClient:
    user = get_user_model().objects.create_user(username="api:relay")
    grant_role(user, Role.API_CLIENT)
    _, raw = ApiToken.issue(user=user, name="relay", brand=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def test_a_relay_files_each_comment_by_the_account_it_names(relay, aurora, rapimenu):
    response = post(
        relay, [comment_item(account="@RapiMenu"), comment_item(account="@BancoAurora")]
    )
    assert response.status_code == 201
    ids = [r["id"] for r in response.json()["results"]]
    assert [Comment.objects.get(pk=pk).brand for pk in ids] == [rapimenu, aurora]


def test_a_relay_refuses_an_item_without_a_known_account_and_reads_nothing(relay, two_brands):
    response = post(relay, [comment_item(account="@RapiMenu"), comment_item()])
    assert response.status_code == 400
    assert response.json()["errors"][0]["index"] == 1
    assert response.json()["errors"][0]["field"] == "account"
    assert relay.get(URL).json()["results"] == []
    assert relay.get(f"{URL}{two_brands['aurora'][0]}/").status_code == 404


def test_a_person_cannot_push_with_a_session(client, alice):
    client.force_login(alice)
    response = client.post(URL, data=json.dumps(comment_item()), content_type="application/json")
    assert response.status_code == 403


# --- pages ----------------------------------------------------------------------------------


def _queue_ids(client, **params) -> set[int]:
    response = client.get(reverse("queue-rows"), params)
    assert response.status_code == 200
    return {c.pk for c in response.context["page"].object_list}


def test_a_community_manager_sees_only_her_brands_queue(client, alice, bruno, two_brands):
    client.force_login(alice)
    assert _queue_ids(client, status="") == set(two_brands["aurora"])
    client.force_login(bruno)
    assert _queue_ids(client, status="") == set(two_brands["rapimenu"])


def test_another_brands_comment_page_and_correction_answer_404(client, alice, two_brands):
    theirs = two_brands["rapimenu"][0]
    client.force_login(alice)
    assert client.get(reverse("comment-detail", args=[theirs])).status_code == 404
    response = client.post(
        reverse("comment-correct", args=[theirs]), {"category": "other", "level": "green"}
    )
    assert response.status_code == 404
    assert not Comment.objects.get(pk=theirs).classified_by_human
    assert client.get(reverse("comment-detail", args=[two_brands["aurora"][0]])).status_code == 200


def test_someone_with_two_brands_sees_both_with_the_brand_named_and_can_narrow(
    client, lucia, two_brands, rapimenu
):
    client.force_login(lucia)
    response = client.get(reverse("queue-rows"), {"status": ""})
    assert {c.pk for c in response.context["page"].object_list} == {
        *two_brands["aurora"],
        *two_brands["rapimenu"],
    }
    assert "RapiMenu" in response.content.decode()
    client.post(reverse("brand-switch"), {"brand": rapimenu.pk})
    assert _queue_ids(client, status="") == set(two_brands["rapimenu"])
    client.post(reverse("brand-switch"), {"brand": ""})
    assert len(_queue_ids(client, status="")) == 4


def test_switching_to_a_brand_one_does_not_work_for_is_ignored(client, alice, rapimenu, two_brands):
    client.force_login(alice)
    client.post(reverse("brand-switch"), {"brand": rapimenu.pk})
    assert client.session.get(SESSION_KEY) is None
    assert _queue_ids(client, status="") == set(two_brands["aurora"])


def test_a_stale_brand_choice_never_widens_what_one_sees(client, alice, rapimenu, two_brands):
    client.force_login(alice)
    session = client.session
    session[SESSION_KEY] = rapimenu.pk
    session.save()
    assert _queue_ids(client, status="") == set(two_brands["aurora"])


def test_the_header_offers_only_ones_own_brands(client, lucia, alice, aurora, rapimenu):
    client.force_login(lucia)
    html = client.get(reverse("queue")).content.decode()
    assert 'name="brand"' in html
    assert "Banco Aurora" in html
    assert "RapiMenu" in html
    client.force_login(alice)
    html = client.get(reverse("queue")).content.decode()
    assert "Banco Aurora" in html
    assert "RapiMenu" not in html
    assert 'name="brand"' not in html


def test_a_superuser_sees_every_brand(client, two_brands):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client.force_login(admin)
    assert len(_queue_ids(client, status="")) == 4


# --- notifications --------------------------------------------------------------------------


def test_a_red_reaches_only_its_own_brands_committee(two_brands, carla, rapimenu):
    diego = _person("diego", Role.CRISIS_COMMITTEE, rapimenu)
    theirs = Escalation.objects.get(comment__brand=rapimenu)
    assert escalation.escalation_notify(escalation_id=theirs.pk) is True
    [message] = mail.outbox
    assert message.to == [diego.email]
    theirs.refresh_from_db()
    assert theirs.recipients == [diego.email]
    assert carla.email not in message.to


def test_the_time_left_on_a_brands_case_uses_its_own_deadline(aurora):
    aurora.due_green_minutes = 240
    aurora.save()
    [result] = intake.ingest([comment_item(text=CLAIM, author_followers=10)], brand_id=aurora.pk)
    case = Comment.objects.get(pk=result.id).case
    assert case.response_due_at - case.opened_at == timedelta(minutes=240)
    assert case.response_due_at > timezone.now()


def test_green_praise_still_belongs_to_its_brand(aurora, rapimenu):
    [result] = intake.ingest([comment_item(text=GREEN_TEXT)], brand_id=rapimenu.pk)
    assert Comment.objects.get(pk=result.id).brand == rapimenu
