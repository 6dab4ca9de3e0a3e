"""CSV exports: streamed from a server-side cursor, scoped to the person's brands, masked
without the permission to see personal data, and recorded."""

import csv
import io
import tracemalloc

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from brands.access import SESSION_KEY
from cases.models import Customer, CustomerHandle
from comments.models import Author, Comment
from core.taxonomy import Category, Level
from reports.models import ExportRecord
from tests.factories import CaseFactory
from tests.reports.helpers import comment, posted

pytestmark = pytest.mark.django_db

COMMENTS = reverse("reports-export-comments")
CASES = reverse("reports-export-cases")


def _read(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_a_supervisor_exports_the_periods_comments_of_their_brand_only(client, sam, facts):
    client.force_login(sam)
    response = client.get(COMMENTS)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="semaforo-comments-')
    rows = _read(response)
    assert sorted(row["level"] for row in rows) == ["green", "green", "red"]
    assert {row["brand"] for row in rows} == {"aurora"}
    [record] = ExportRecord.objects.all()
    assert (record.actor, record.kind, record.rows) == (sam, "comments", 3)
    assert record.finished_at is not None
    assert record.filters["since"] <= record.filters["until"]


def test_the_export_follows_the_filters(client, sam, facts):
    client.force_login(sam)
    day = posted(2).date().isoformat()
    rows = _read(client.get(COMMENTS, {"since": day, "until": day}))
    assert [row["level"] for row in rows] == ["green"]
    assert [row["level"] for row in _read(client.get(COMMENTS, {"level": "red"}))] == ["red"]


def test_a_formula_a_stranger_wrote_is_exported_as_text(client, sam, aurora):
    comment(aurora, text='=HYPERLINK("http://evil.example")')
    client.force_login(sam)
    [row] = _read(client.get(COMMENTS))
    assert row["text"] == '\'=HYPERLINK("http://evil.example")'


@pytest.fixture
def customer_case(aurora, rapimenu):
    case = CaseFactory(brand=aurora, level=Level.YELLOW, opened_at=posted(1))
    customer = Customer.objects.create(
        brand=aurora,
        personal_data={"name": "Ana Pérez", "email": "ana.perez@gmail.com", "phone": "3001234567"},
    )
    CustomerHandle.objects.create(customer=customer, author=case.author)
    CaseFactory(brand=rapimenu, opened_at=posted(1))
    return case


def test_a_supervisor_who_works_cases_sees_the_personal_data(client, sam, customer_case):
    client.force_login(sam)
    [row] = _read(client.get(CASES))
    assert (row["id"], row["brand"]) == (str(customer_case.pk), "aurora")
    assert (row["name"], row["email"], row["phone"]) == (
        "Ana Pérez",
        "ana.perez@gmail.com",
        "3001234567",
    )
    assert ExportRecord.objects.get().masked is False


def test_the_committee_exports_cases_with_the_personal_data_masked(client, carla, customer_case):
    client.force_login(carla)
    [row] = _read(client.get(CASES))
    assert (row["name"], row["email"], row["phone"]) == ("A*** P***", "an***@gm***.com", "***4567")
    record = ExportRecord.objects.get()
    assert (record.kind, record.masked, record.rows) == ("cases", True, 1)


def test_exports_are_refused_to_those_without_the_permission(client, alice, mallory):
    for person in (alice, mallory):
        client.force_login(person)
        assert client.get(COMMENTS).status_code == 403
    assert not ExportRecord.objects.exists()


def test_a_bad_period_is_a_400_naming_the_field(client, sam):
    client.force_login(sam)
    response = client.get(CASES, {"since": "2026-03-10", "until": "2026-03-01"})
    assert response.status_code == 400
    assert response.content.decode().startswith("until:")


TEXT = "Me cobraron dos veces la cuota del mes y nadie responde. " * 18  # about 1 kB


def _many_comments(brand, n: int, *, first: int = 0) -> None:
    author, _ = Author.objects.get_or_create(brand=brand, platform="twitter", handle="@many")
    at = posted(1)
    Comment.objects.bulk_create(
        Comment(
            brand=brand,
            platform="twitter",
            external_id=f"bulk-{i}",
            author=author,
            text=TEXT,
            posted_at=at,
            category=Category.PQR,
            level=Level.YELLOW,
            level_rank=1,
            confidence=0.9,
        )
        for i in range(first, first + n)
    )


def _export_measured(client) -> tuple[int, int]:
    """The CSV's size and the peak of memory allocated while it was read, in bytes."""
    response = client.get(COMMENTS)
    assert response.streaming
    chunks = iter(response.streaming_content)
    tracemalloc.start()
    try:
        size = len(next(chunks))
        assert ExportRecord.objects.latest("pk").rows is None  # the rest is in the cursor
        size += sum(len(chunk) for chunk in chunks)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return size, peak


def test_the_csv_is_streamed_lazily_with_memory_that_does_not_grow_with_the_rows(
    client, sam, aurora
):
    client.force_login(sam)
    _many_comments(aurora, 2000)
    small, small_peak = _export_measured(client)
    _many_comments(aurora, 6000, first=2000)
    large, large_peak = _export_measured(client)
    assert large > 3.9 * small > 3.9 * 2000 * len(TEXT)
    # Four times the rows, about the same memory: one chunk of the cursor at a time.
    assert large_peak < 1.5 * small_peak, (small_peak, large_peak)
    assert large_peak < large / 2, f"peak {large_peak / 1e6:.1f} MB, {large / 1e6:.1f} MB of CSV"
    assert ExportRecord.objects.latest("pk").rows == 8000


def test_a_person_of_two_brands_exports_the_one_chosen(client, rosa, rapimenu, facts):
    client.force_login(rosa)
    assert {row["brand"] for row in _read(client.get(COMMENTS))} == {"aurora", "rapimenu"}
    session = client.session
    session[SESSION_KEY] = rapimenu.pk
    session.save()
    assert {row["brand"] for row in _read(client.get(COMMENTS))} == {"rapimenu"}
    assert ExportRecord.objects.latest("pk").brand_ids == [rapimenu.pk]


def test_personal_data_in_a_comments_text_is_masked_for_who_does_not_work_cases(
    client, carla, sam, aurora
):
    text = "Mi correo es ana.perez@gmail.com y mi pedido es el 3001234567"
    comment(aurora, text=text, pii=[[13, 32, "email"]])
    client.force_login(carla)
    [row] = _read(client.get(COMMENTS))
    assert row["text"] == "Mi correo es an***@gm***.com y mi pedido es el 3001234567"
    assert ExportRecord.objects.get(actor=carla).masked is True
    client.force_login(sam)
    [row] = _read(client.get(COMMENTS))
    assert row["text"] == text
    assert ExportRecord.objects.get(actor=sam).masked is False
