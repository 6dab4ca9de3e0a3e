"""The top complaints page: who sees it, over which brands, what it shows, and the name and merge
forms of supervisors."""

import pytest
from django.urls import reverse

from brands.access import SESSION_KEY
from cases.models import AuditEvent
from core.taxonomy import Category, Level
from reports import rollups
from reports.models import ComplaintSubject
from tests.factories import AuthorFactory, CommentFactory
from tests.reports.helpers import posted

pytestmark = pytest.mark.django_db

URL = reverse("reports-top-complaints")
NAME_URL = reverse("reports-subject-name")
MERGE_URL = reverse("reports-subjects-merge")
SPLIT_URL = reverse("reports-subject-split")

DOUBLE = "me cobraron dos veces la cuota, devuelvan"
APP = "la app no abre desde ayer"
LATE = "my order arrived two hours late"


def _say(brand, text, days_ago=1, *, author=None, **fields):
    return CommentFactory(
        brand=brand,
        author=author or AuthorFactory(brand=brand),
        text=text,
        posted_at=posted(days_ago),
        category=fields.pop("category", Category.PQR),
        **fields,
    )


@pytest.fixture
def complaints_facts(aurora, rapimenu):
    """Aurora: five double charges from five people this week (none the week before) and two
    app failures; RapiMenu: three late deliveries."""
    for days_ago in (0, 1, 1, 2, 3):
        _say(aurora, DOUBLE, days_ago)
    _say(aurora, APP, 2)
    _say(aurora, APP, 9)
    _say(aurora, APP, 10)
    _say(aurora, "Gracias, todo bien", 1, category=Category.OTHER)
    for _ in range(3):
        _say(rapimenu, LATE, 1)
    rollups.rollups_rebuild(brand_ids=[aurora.pk, rapimenu.pk])


def _rows(response) -> dict[str, dict]:
    """The table's rows by subject keys: label, comments, trend, rising."""
    html = response.content.decode()
    rows = {}
    for chunk in html.split("<tr data-subject=")[1:]:
        keys = chunk.split('"')[1]
        body = chunk.split("</tr>")[0]
        rows[keys] = {
            "label": body.split("<span data-label>")[1].split("</span>")[0],
            "comments": int(body.split("<td data-comments>")[1].split("</td>")[0]),
            "trend": body.split('data-trend="')[1].split('"')[0],
            "rising": "data-rising" in body,
            "body": body,
        }
    return rows


def test_a_supervisor_sees_the_subjects_with_trend_rising_examples_and_forms(
    client, sam, aurora, complaints_facts
):
    client.force_login(sam)
    response = client.get(URL)
    assert response.status_code == 200
    rows = _rows(response)
    assert list(rows) == ["~double_charge", "~app_down"]  # RapiMenu's never shows
    double, app = rows["~double_charge"], rows["~app_down"]
    assert (double["label"], double["comments"], double["trend"], double["rising"]) == (
        "cobro doble",
        5,
        "new",
        True,
    )
    assert (app["comments"], app["trend"], app["rising"]) == (1, "down", False)
    assert "▼" in app["body"]
    example = CommentFactory._meta.model.objects.filter(text=DOUBLE).latest("posted_at")
    assert reverse("comment-detail", args=[example.pk]) in double["body"]
    assert f'action="{NAME_URL}"' in double["body"]
    html = response.content.decode()
    assert 'id="merge-form" class="inline-form merge-form"' in html
    assert "Quejas más frecuentes" in html  # Spanish by default
    assert f'href="{URL}"' in html  # the navigation links here
    assert "<script>" not in html


def test_it_reads_in_english_and_the_overview_links_to_it(client, sam, complaints_facts):
    client.force_login(sam)
    html = client.get(URL, headers={"accept-language": "en"}).content.decode()
    assert "Top complaints" in html
    assert _rows(client.get(URL, headers={"accept-language": "en"}))["~double_charge"]["label"] == (
        "double charge"
    )
    assert URL in client.get(reverse("reports-overview")).content.decode()


def test_the_committee_reads_it_without_the_forms_and_may_not_name(
    client, carla, aurora, complaints_facts
):
    client.force_login(carla)
    response = client.get(URL)
    assert response.status_code == 200
    assert "~double_charge" in _rows(response)
    assert NAME_URL not in response.content.decode()
    posted_name = {"brand": aurora.pk, "key": "~double_charge", "name": "Cobros"}
    assert client.post(NAME_URL, posted_name).status_code == 403
    assert not ComplaintSubject.objects.exists()


def test_a_community_manager_an_outsider_and_a_stranger_are_refused(client, alice, mallory):
    assert client.get(URL).status_code == 302
    client.force_login(alice)
    assert client.get(URL).status_code == 403
    client.force_login(mallory)
    assert client.get(URL).status_code == 403


def test_a_person_of_two_brands_sees_both_with_their_brand_or_the_one_chosen(
    client, rosa, rapimenu, complaints_facts
):
    client.force_login(rosa)
    response = client.get(URL)
    assert set(_rows(response)) == {"~double_charge", "~app_down", "~late_delivery"}
    assert '<td class="brand-cell">rapimenu</td>' in response.content.decode()
    session = client.session
    session[SESSION_KEY] = rapimenu.pk
    session.save()
    assert list(_rows(client.get(URL))) == ["~late_delivery"]


def test_a_supervisor_names_a_subject_and_the_name_shows(client, sam, aurora, complaints_facts):
    client.force_login(sam)
    back = f"{URL}?level=green"
    response = client.post(
        NAME_URL,
        {"brand": aurora.pk, "key": "~double_charge", "name": "Cobros dobles", "next": back},
    )
    assert response.status_code == 302
    assert response["Location"] == back
    page = client.get(back)
    assert _rows(page)["~double_charge"]["label"] == "Cobros dobles"
    assert "vale también para los periodos siguientes" in page.content.decode()
    assert AuditEvent.objects.get(action="complaint_subject_named").actor == sam


def test_another_brands_subject_is_not_found(client, sam, rapimenu, complaints_facts):
    client.force_login(sam)
    response = client.post(NAME_URL, {"brand": rapimenu.pk, "key": "~late_delivery", "name": "x"})
    assert response.status_code == 404
    response = client.post(
        MERGE_URL, {"pick": [f"{rapimenu.pk}:~late_delivery", f"{rapimenu.pk}:~app_down"]}
    )
    assert response.status_code == 404
    assert not ComplaintSubject.objects.exists()


def test_merging_two_subjects_shows_them_as_one_and_separating_undoes_it(
    client, sam, aurora, complaints_facts
):
    client.force_login(sam)
    picks = [f"{aurora.pk}:~double_charge", f"{aurora.pk}:~app_down"]
    client.post(MERGE_URL, {"pick": picks, "name": "Pagos"})
    [(keys, row)] = _rows(client.get(URL)).items()
    assert keys == "~app_down|~double_charge"
    assert (row["label"], row["comments"]) == ("Pagos", 6)
    assert f'action="{SPLIT_URL}"' in row["body"]

    client.post(SPLIT_URL, {"brand": aurora.pk, "key": "~app_down"})
    assert list(_rows(client.get(URL))) == ["~double_charge", "~app_down"]


def test_a_merge_across_brands_or_of_one_subject_is_refused_with_a_message(
    client, rosa, aurora, rapimenu, complaints_facts
):
    client.force_login(rosa)
    response = client.post(
        MERGE_URL,
        {"pick": [f"{aurora.pk}:~double_charge", f"{rapimenu.pk}:~late_delivery"]},
        follow=True,
        headers={"accept-language": "en"},
    )
    assert "one brand at a time" in response.content.decode()
    response = client.post(
        MERGE_URL,
        {"pick": [f"{aurora.pk}:~double_charge"]},
        follow=True,
        headers={"accept-language": "en"},
    )
    assert "at least two subjects" in response.content.decode()
    assert not ComplaintSubject.objects.exists()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "2026-03-10", "until": "2026-03-01"}, "The period ends before it starts."),
        ({"category": "other"}, "Select a valid choice."),
        ({"limit": "0"}, "greater than or equal to 1"),
        ({"limit": "500"}, "less than or equal to 50"),
    ],
)
def test_a_bad_filter_is_shown_beside_the_form(client, sam, params, message):
    client.force_login(sam)
    response = client.get(URL, params, headers={"accept-language": "en"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'id="table-complaints"' not in response.content.decode()


def test_an_empty_period_says_so(client, sam, complaints_facts):
    client.force_login(sam)
    response = client.get(URL, {"since": "2020-01-01", "until": "2020-01-07"})
    assert "No hay comentarios negativos en este periodo." in response.content.decode()
    assert _rows(response) == {}


def test_the_pages_query_count_does_not_grow_with_the_facts(client, sam, aurora, query_counts):
    client.force_login(sam)

    def grow(n: int) -> None:
        for _ in range(n):
            _say(aurora, DOUBLE, 1)
            _say(aurora, APP, 2)
            _say(aurora, APP, 8, level=Level.YELLOW)
        rollups.rollups_rebuild(brand_ids=[aurora.pk])

    few, many = query_counts(lambda: client.get(URL), grow)
    assert few == many
