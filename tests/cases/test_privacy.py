"""The customer's personal data: captured once on a case for its customer, in full only to the
brand's people who work cases, masked in lists, the API and the audit log. (The private
handoff that drafts the public "we wrote to you privately" reply is ``replies.handoff``'s, in
``tests/replies/test_handoff.py``.)"""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from cases import privacy, workflow
from cases.customers import customer_personal_data
from cases.models import AuditEvent, Case, Customer, CustomerHandle
from core.errors import DomainError
from core.taxonomy import Level
from tests.conftest import _person
from tests.factories import CaseFactory, case_with_comment, sign_in

pytestmark = pytest.mark.django_db
DATA = {
    "name": "Juana Pérez",
    "document_id": "CURP PEJJ800101MDF",
    "phone": "+52 55 1234 4567",
    "email": "juana.perez@gmail.com",
    "order_number": "ORD-2024-998877",
}
FULL_VALUES = list(DATA.values())


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def case(aurora, alice) -> Case:
    case = case_with_comment(brand=aurora, level=Level.YELLOW, author__display_name="Juana")
    workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)
    return workflow.case_move(case_id=case.pk, actor=alice, action="start")


@pytest.fixture
def case_with_data(case, alice) -> Case:
    return privacy.personal_data_record(case_id=case.pk, actor=alice, data=DATA)


def _leaks(text: str) -> list[str]:
    return [value for value in FULL_VALUES if value in text]


def test_one_helper_masks_every_kind_of_personal_data():
    assert privacy.mask_personal_data(DATA) == {
        "name": "J*** P***",
        "document_id": "***1MDF",
        "phone": "***4567",
        "email": "ju***@gm***.com",
        "order_number": "***8877",
    }
    assert privacy.mask_value("email", "jo@x") == "jo***@x***"
    assert privacy.mask_value("phone", "4567") == "***"
    assert privacy.mask_personal_data({"unknown": "secret-value-1234", "phone": ""}) == {
        "unknown": "***1234"
    }
    assert privacy.mask_personal_data(None) == {}


def test_the_data_is_recorded_once_with_a_masked_audit_event(case_with_data, alice):
    case = Case.objects.get(pk=case_with_data.pk)
    assert customer_personal_data(case.author) == DATA
    event = AuditEvent.objects.get(action="personal_data_recorded", case=case)
    assert event.actor == alice
    assert event.after["fields"] == sorted(DATA)
    assert not _leaks(json.dumps(event.after, ensure_ascii=False))
    assert event.after["data"]["email"] == "ju***@gm***.com"
    with pytest.raises(DomainError, match="Nothing to change"):
        privacy.personal_data_record(case_id=case.pk, actor=alice, data=DATA)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "juana(at)gmail", "e-mail"),
        ("phone", "12 34", "7 and 15 digits"),
        ("name", "x" * 201, "too long"),
    ],
)
def test_bad_personal_data_is_refused_and_nothing_is_written(case, alice, field, value, message):
    with pytest.raises(DomainError, match=message):
        privacy.personal_data_record(case_id=case.pk, actor=alice, data={field: value})
    assert customer_personal_data(Case.objects.get(pk=case.pk).author) == {}
    assert not AuditEvent.objects.filter(action="personal_data_recorded").exists()


def test_only_the_person_working_the_case_in_its_brand_records_data(case, bruno, carla):
    with pytest.raises(Case.DoesNotExist):
        privacy.personal_data_record(case_id=case.pk, actor=bruno, data=DATA)
    with pytest.raises(Case.DoesNotExist):
        privacy.personal_data_record(case_id=case.pk, actor=carla, data=DATA)
    from brands.roles import Role

    dora = _person("dora", Role.COMMUNITY_MANAGER, case.brand)
    with pytest.raises(DomainError, match="someone else"):
        privacy.personal_data_record(case_id=case.pk, actor=dora, data=DATA)
    assert customer_personal_data(Case.objects.get(pk=case.pk).author) == {}


def test_the_case_page_shows_it_in_full_to_who_works_cases_and_masked_to_the_committee(
    client, case_with_data, alice, sam, carla
):
    url = reverse("case-detail", args=[case_with_data.pk])
    for person in ("alice", "sam"):
        sign_in(client, person)
        page = client.get(url).content.decode()
        assert _leaks(page) == FULL_VALUES
        assert 'value="juana.perez@gmail.com"' in page
        client.logout()
    sign_in(client, "carla")
    page = client.get(url).content.decode()
    assert _leaks(page) == []
    assert "ju***@gm***.com" in page
    assert "***4567" in page


def test_the_queue_the_case_list_and_the_api_show_it_masked(
    client, api, case_with_data, alice, bruno
):
    sign_in(client, "alice")
    queue = client.get(reverse("queue")).content.decode()
    assert "ju***@gm***.com" in queue
    assert _leaks(queue) == []
    rows = client.get(reverse("queue-rows")).content.decode()
    assert "***4567" in rows
    assert _leaks(rows) == []
    cases = client.get(reverse("cases")).content.decode()
    assert f'data-case-id="{case_with_data.pk}"' in cases
    assert "ju***@gm***.com" in cases
    assert _leaks(cases) == []

    listing = api.get("/api/v1/comments/")
    assert listing.status_code == 200
    assert _leaks(listing.content.decode()) == []
    [item] = listing.json()["results"]
    assert item["customer_contact"]["email"] == "ju***@gm***.com"
    comment = case_with_data.comments.get()
    detail = api.get(f"/api/v1/comments/{comment.pk}/")
    assert detail.json()["customer_contact"]["phone"] == "***4567"
    assert _leaks(detail.content.decode()) == []

    client.logout()
    sign_in(client, "bruno")
    assert (
        f'data-case-id="{case_with_data.pk}"' not in client.get(reverse("cases")).content.decode()
    )


def test_case_list_query_count_is_pinned(aurora, client, alice, django_assert_max_num_queries):
    CaseFactory.create_batch(30, brand=aurora, level=Level.YELLOW, with_comment=True)
    for case in Case.objects.all():
        customer = Customer.objects.create(brand=aurora, personal_data=DATA)
        CustomerHandle.objects.create(customer=customer, author_id=case.author_id)
    client.force_login(alice)
    with django_assert_max_num_queries(9):  # session, user, roles, switcher, count, page
        response = client.get(reverse("cases"))
    page = response.content.decode()
    assert page.count("ju***@gm***.com") == 30
    assert _leaks(page) == []


def test_the_admin_shows_it_masked_too(client, case_with_data, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    client.force_login(root)
    html = client.get(f"/admin/cases/case/{case_with_data.pk}/change/").content.decode()
    assert _leaks(html) == []
    assert "***4567" in html
