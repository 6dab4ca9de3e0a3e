"""The customer remembered: one page per customer (their handles, linked by a person), every
comment, case and note over time, and their personal data gathered once for every case."""

import pytest
from django.urls import reverse
from django.utils import translation

from cases import customers, notes, privacy, workflow
from cases.models import AuditEvent, Case, CaseStatus, Outcome
from core.errors import DomainError
from tests.factories import AuthorFactory, CaseFactory, CommentFactory, case_with_comment

pytestmark = pytest.mark.django_db
DATA = {"name": "Juana Pérez", "phone": "+52 55 1234 4567", "email": "juana.perez@gmail.com"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def ana(aurora):
    return AuthorFactory(brand=aurora, handle="@ana", platform="twitter")


@pytest.fixture
def ana_ig(aurora):
    return AuthorFactory(brand=aurora, handle="ana.insta", platform="instagram")


def _working(case, alice) -> Case:
    workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)
    return workflow.case_move(case_id=case.pk, actor=alice, action="start")


def _page(client, author, **params) -> str:
    response = client.get(reverse("customer", args=[author.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_every_comment_case_and_note_newest_first_with_status_and_outcome(
    client, aurora, alice, ana
):
    old = case_with_comment(brand=aurora, author=ana, comment__text="Primera queja")
    _working(old, alice)
    workflow.case_move(case_id=old.pk, actor=alice, action="resolve", outcome=Outcome.SOLVED)
    new = case_with_comment(brand=aurora, author=ana, comment__text="Segunda queja")
    notes.case_note_add(case_id=new.pk, actor=alice, text="Llamó: prefiere correo")
    client.force_login(alice)
    page = _page(client, ana)
    for text in ("Primera queja", "Segunda queja", "Llamó: prefiere correo"):
        assert text in page
    assert page.index("Llamó: prefiere correo") < page.index("Segunda queja")
    assert page.index("Segunda queja") < page.index("Primera queja")
    [old_row] = [r for r in page.split("<li") if f'data-case-id="{old.pk}"' in r]
    assert "status-resolved" in old_row
    assert "outcome-solved" in old_row


def test_the_history_is_paginated(client, aurora, alice, ana):
    case = CaseFactory(brand=aurora, author=ana)
    for i in range(30):
        CommentFactory(case=case, text=f"Mensaje número {i:02d}")
    client.force_login(alice)
    first = _page(client, ana)
    assert "Mensaje número 29" in first
    assert "Mensaje número 00" not in first
    assert "?page=2" in first
    second = _page(client, ana, page=2)
    assert "Mensaje número 00" in second
    assert "Mensaje número 29" not in second


def test_one_click_from_the_case_page_the_comment_page_and_the_queue(client, aurora, alice, ana):
    case = case_with_comment(brand=aurora, author=ana)
    url = reverse("customer", args=[ana.pk])
    client.force_login(alice)
    assert url in client.get(reverse("case-detail", args=[case.pk])).content.decode()
    comment = case.comments.get()
    assert url in client.get(reverse("comment-detail", args=[comment.pk])).content.decode()
    assert url in client.get(reverse("queue-rows")).content.decode()
    assert url in client.get(reverse("cases")).content.decode()


def test_another_brands_customer_is_not_found_and_strangers_are_kept_out(
    client, aurora, ana, bruno, carla, mallory
):
    case_with_comment(brand=aurora, author=ana)
    url = reverse("customer", args=[ana.pk])
    assert client.get(url).status_code == 302
    client.force_login(bruno)
    assert client.get(url).status_code == 404
    assert client.post(reverse("customer-link", args=[ana.pk]), {"handle": "x"}).status_code == 404
    client.force_login(mallory)
    assert client.get(url).status_code == 403
    client.force_login(carla)
    page = client.get(url).content.decode()
    assert "@ana" in page
    assert reverse("customer-link", args=[ana.pk]) not in page
    assert client.post(reverse("customer-link", args=[ana.pk]), {"handle": "x"}).status_code == 403


def test_a_person_links_another_handle_and_both_histories_show_audited_on_both(
    client, aurora, alice, ana, ana_ig
):
    CommentFactory(brand=aurora, author=ana_ig, text="Desde Instagram: sigo sin respuesta")
    client.force_login(alice)
    client.post(
        reverse("customer-link", args=[ana.pk]), {"platform": "instagram", "handle": "@ana.insta"}
    )
    assert [a.pk for a in customers.customer_handles(ana)] == [ana.pk, ana_ig.pk]
    page = _page(client, ana)
    assert "Desde Instagram: sigo sin respuesta" in page
    assert reverse("customer", args=[ana_ig.pk]) in page
    events = AuditEvent.objects.filter(action="customer_linked")
    assert sorted(events.values_list("author_id", flat=True)) == sorted([ana.pk, ana_ig.pk])
    assert {e.actor for e in events} == {alice}

    client.post(reverse("customer-unlink", args=[ana.pk, ana_ig.pk]))
    assert customers.customer_handles(ana) == [ana]
    assert "Desde Instagram" not in _page(client, ana)
    assert AuditEvent.objects.filter(action="customer_unlinked").count() == 2


def test_links_stay_inside_one_brand_and_with_people_who_work_cases(
    aurora, rapimenu, alice, carla, ana, ana_ig
):
    stranger = AuthorFactory(brand=rapimenu, handle="@ana")
    with pytest.raises(DomainError, match="same brand"):
        customers.customer_link(actor=alice, author=ana, other=stranger)
    with pytest.raises(DomainError, match="another handle"):
        customers.customer_link(actor=alice, author=ana, other=ana)
    with pytest.raises(customers.Customer.DoesNotExist):
        customers.customer_link(actor=carla, author=ana, other=ana_ig)
    customers.customer_link(actor=alice, author=ana, other=ana_ig)
    with pytest.raises(DomainError, match="already"):
        customers.customer_link(actor=alice, author=ana_ig, other=ana)
    assert not AuditEvent.objects.filter(author=stranger).exists()


def test_a_returning_customer_is_not_asked_again(client, aurora, alice, carla, ana, ana_ig):
    first = _working(case_with_comment(brand=aurora, author=ana), alice)
    privacy.personal_data_record(case_id=first.pk, actor=alice, data=DATA)
    workflow.case_move(case_id=first.pk, actor=alice, action="resolve", outcome=Outcome.SOLVED)
    again = case_with_comment(brand=aurora, author=ana, comment__text="Otra vez el cargo")
    customers.customer_link(actor=alice, author=ana, other=ana_ig)
    elsewhere = case_with_comment(brand=aurora, author=ana_ig)
    client.force_login(alice)
    for case in (again, elsewhere):
        page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
        assert "juana.perez@gmail.com" in page
    assert "juana.perez@gmail.com" in _page(client, ana_ig)
    client.force_login(carla)
    for url in (reverse("case-detail", args=[again.pk]), reverse("customer", args=[ana.pk])):
        page = client.get(url).content.decode()
        assert "juana.perez@gmail.com" not in page
        assert "ju***@gm***.com" in page
    # The audit event stays on the case where it was recorded, masked.
    event = AuditEvent.objects.get(action="personal_data_recorded")
    assert (event.case_id, event.author_id) == (first.pk, ana.pk)


def test_linking_merges_what_each_handle_gave_the_later_recording_winning(
    aurora, alice, ana, ana_ig
):
    on_twitter = _working(case_with_comment(brand=aurora, author=ana), alice)
    on_instagram = _working(case_with_comment(brand=aurora, author=ana_ig), alice)
    privacy.personal_data_record(
        case_id=on_twitter.pk, actor=alice, data={"name": "Ana", "phone": "3001111111"}
    )
    privacy.personal_data_record(
        case_id=on_instagram.pk, actor=alice, data={"phone": "3002222222", "email": "a@b.co"}
    )
    customers.customer_link(actor=alice, author=ana, other=ana_ig)
    merged = {"name": "Ana", "phone": "3002222222", "email": "a@b.co"}
    assert customers.customer_personal_data(ana) == merged
    assert customers.customer_personal_data(ana_ig) == merged
    # Unlinking leaves the data with the customer and the handle taken out with none.
    customers.customer_unlink(actor=alice, author=ana, other=ana_ig)
    assert customers.customer_personal_data(ana) == merged
    ana_ig.refresh_from_db()
    assert customers.customer_personal_data(ana_ig) == {}


def test_notes_are_audited_escaped_and_kept_to_the_brands_people(
    client, aurora, alice, bruno, carla, ana
):
    case = case_with_comment(brand=aurora, author=ana, status=CaseStatus.NEW)
    client.force_login(alice)
    client.post(reverse("case-note", args=[case.pk]), {"text": "<script>alert(1)</script> ojo"})
    note = case.notes.get()
    assert note.author == alice
    event = AuditEvent.objects.get(action="note_added")
    assert (event.case_id, event.actor, event.after["note_id"]) == (case.pk, alice, note.pk)
    for page in (
        client.get(reverse("case-detail", args=[case.pk])).content.decode(),
        _page(client, ana),
    ):
        assert "&lt;script&gt;alert(1)&lt;/script&gt; ojo" in page
        assert "<script>alert(1)" not in page
    with pytest.raises(DomainError):
        notes.case_note_add(case_id=case.pk, actor=alice, text="   ")
    with pytest.raises(Case.DoesNotExist):
        notes.case_note_add(case_id=case.pk, actor=bruno, text="hola")
    client.force_login(bruno)
    assert client.post(reverse("case-note", args=[case.pk]), {"text": "x"}).status_code == 404
    client.force_login(carla)
    assert client.post(reverse("case-note", args=[case.pk]), {"text": "x"}).status_code == 403
    assert case.notes.count() == 1


def test_customer_page_query_count_is_pinned(client, aurora, alice, ana, ana_ig, query_counts):
    customers.customer_link(actor=alice, author=ana, other=ana_ig)

    def grow(n: int) -> None:
        for i in range(n):
            case = CaseFactory(brand=aurora, author=ana if i % 2 else ana_ig, thread_key=f"t{i}{n}")
            CommentFactory(case=case, text=f"Queja {i}")
            notes.case_note_add(case_id=case.pk, actor=alice, text=f"Nota {i}")

    url = reverse("customer", args=[ana.pk])
    client.force_login(alice)
    few, many = query_counts(lambda: client.get(url), grow)
    # session, user, 2 permission reads, 2 brand look-ups, the author with their customer, the
    # handles, the timeline's count and page, its comments, cases and notes, the links'
    # history, the brand switcher.
    assert (few, many) == (15, 15)
