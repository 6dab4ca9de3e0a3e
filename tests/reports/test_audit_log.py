"""The audit page and its CSV export: a supervisor reads who did what in their brands, narrows
it by period, action, person and case, and downloads the same rows; nobody else reads them, and
another brand's events never show."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import AuditAction, AuditEvent
from cases.notes import case_note_add
from cases.workflow import case_assign
from reports.models import ExportRecord
from tests.factories import case_with_comment, sign_in

pytestmark = pytest.mark.django_db

PAGE = reverse("reports-audit")
EXPORT = reverse("reports-export-audit")


@pytest.fixture
def history(aurora, rapimenu, alice, sam, bruno):
    """Sam assigns an Aurora case to Alice, who adds a note; at RapiMenu, Bruno adds one."""
    case = case_with_comment(brand=aurora)
    case_assign(case_id=case.pk, actor=sam, assignee=alice)
    case_note_add(case_id=case.pk, actor=alice, text="=cmd| llamó al banco")
    other = case_with_comment(brand=rapimenu)
    case_note_add(case_id=other.pk, actor=bruno, text="RapiMenu's own note")
    return case, other


def _rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def _shown(response) -> list[str]:
    html = response.content.decode()
    return sorted(action for action in AuditAction.values if f'data-action="{action}"' in html)


def test_a_supervisor_reads_their_brands_events_newest_first(client, history, sam):
    case, other = history
    sign_in(client, "sam")
    response = client.get(PAGE)
    assert response.status_code == 200
    events = list(response.context["page"].object_list)
    assert {event.brand_id for event in events} == {case.brand_id}
    assert [event.action for event in events[:2]] == [
        AuditAction.NOTE_ADDED,
        AuditAction.CASE_ASSIGNED,
    ]
    html = response.content.decode()
    assert "RapiMenu's own note" not in html
    assert f'href="{reverse("case-detail", args=[case.pk])}"' in html


def test_the_filters_narrow_the_events(client, history, sam):
    case, _ = history
    sign_in(client, "sam")
    assert _shown(client.get(PAGE, {"action": AuditAction.CASE_ASSIGNED})) == ["case_assigned"]
    assert _shown(client.get(PAGE, {"actor": "ALICE"})) == ["note_added"]
    other_case = case_with_comment(brand=case.brand)
    case_note_add(case_id=other_case.pk, actor=sam, text="otra")
    by_case = client.get(PAGE, {"case": case.pk}).context["page"].object_list
    assert {event.case_id for event in by_case} == {case.pk}
    yesterday = (timezone.localdate() - timedelta(days=2)).isoformat()
    empty = client.get(PAGE, {"since": yesterday, "until": yesterday})
    assert list(empty.context["page"].object_list) == []
    assert 'id="audit-events"' not in empty.content.decode()


def test_bad_filters_are_form_errors_on_the_page_and_a_400_on_the_export(client, sam):
    sign_in(client, "sam")
    for bad in (
        {"case": "abc"},
        {"action": "drop_table"},
        {"actor": "a\x01b"},
        {"since": "0001-01-01"},
    ):
        page = client.get(PAGE, bad)
        assert page.status_code == 200
        assert page.context["page"] is None
        assert page.context["form"].errors
        export = client.get(EXPORT, bad)
        assert export.status_code == 400
        assert next(iter(bad)) in export.content.decode()
    assert not ExportRecord.objects.exists()


def test_the_export_streams_the_same_events_and_is_recorded(client, history, sam):
    case, _ = history
    sign_in(client, "sam")
    response = client.get(EXPORT, {"case": case.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="semaforo-audit-')
    rows = _rows(response)
    expected = AuditEvent.objects.filter(case_id=case.pk).order_by("-created_at", "-pk")
    assert [int(row["id"]) for row in rows] == [event.pk for event in expected]
    assert {row["brand"] for row in rows} == {"aurora"}
    assigned = next(row for row in rows if row["action"] == AuditAction.CASE_ASSIGNED)
    assert assigned["actor"] == "sam"
    assert "alice" in assigned["after"]  # the payload, as JSON
    [record] = ExportRecord.objects.all()
    assert (record.actor, record.kind, record.rows) == (sam, "audit", len(rows))
    assert record.filters["case"] == str(case.pk)


def test_only_supervisors_read_the_audit_log(client, history, alice, carla, bruno):
    for username in ("alice", "carla", "bruno"):
        sign_in(client, username)
        assert client.get(PAGE).status_code == 403
        assert client.get(EXPORT).status_code == 403
