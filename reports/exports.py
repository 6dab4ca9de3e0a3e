"""CSV exports of a period's comments, cases and audit events, streamed, scoped, masked and
accounted for.

The rows are read through a server-side cursor (``QuerySet.iterator`` on PostgreSQL) and written
out a chunk at a time, so an export of a million comments holds one chunk in memory, never the
table. Every export is recorded (``ExportRecord``) before its first row is sent. The customer's
personal data, recorded on the customer or typed into a comment (``Comment.pii``), goes out in
full only for the brands where the person works cases (``cases.privacy``: the one rule of who
sees it), masked everywhere else.

What a stranger wrote is data here too: a cell that a spreadsheet would read as a formula
(``=``, ``+``, ``-``, ``@``) is prefixed with a quote, so opening an export runs nothing.
"""

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from brands.access import brand_ids_for
from cases.models import Case
from cases.privacy import PERSONAL_FIELDS, mask_personal_data
from cases.workflow import WORK
from comments.models import Comment
from core.pii import mask_text
from reports.auditlog import AuditScope, audit_events
from reports.figures import Scope
from reports.models import ExportKind, ExportRecord

#: Rows read from the cursor at a time, and lines handed to the response at a time.
CHUNK_ROWS = 1000
WRITE_LINES = 200
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COMMENT_COLUMNS = (
    ("id", "pk"),
    ("brand", "brand__slug"),
    ("platform", "platform"),
    ("external_id", "external_id"),
    ("posted_at", "posted_at"),
    ("author_handle", "author__handle"),
    ("text", "text"),
    ("category", "category"),
    ("level", "level"),
    ("confidence", "confidence"),
    ("classified_by_human", "classified_by_human"),
    ("case_id", "case_id"),
    ("url", "url"),
)
CASE_COLUMNS = (
    ("id", "pk"),
    ("brand", "brand__slug"),
    ("status", "status"),
    ("category", "category"),
    ("level", "level"),
    ("platform", "author__platform"),
    ("author_handle", "author__handle"),
    ("assignee", "assignee__username"),
    ("opened_at", "opened_at"),
    ("response_due_at", "response_due_at"),
    ("responded_at", "responded_at"),
    ("resolution_due_at", "resolution_due_at"),
    ("resolved_at", "resolved_at"),
    ("closed_at", "closed_at"),
    ("paused_seconds", "paused_seconds"),
    ("outcome", "outcome"),
    ("satisfied", "satisfied"),
    ("private_channel", "private_channel"),
)
AUDIT_COLUMNS = (
    ("id", "pk"),
    ("brand", "brand__slug"),
    ("created_at", "created_at"),
    ("actor", "actor_name"),
    ("action", "action"),
    ("case_id", "case_id"),
    ("comment_id", "comment_id"),
    ("author_id", "author_id"),
    ("before", "before"),
    ("after", "after"),
)
_PERSONAL_DATA = "author__customer_handle__customer__personal_data"


class _Echo:
    """What ``csv.writer`` writes to: each line is handed back rather than buffered."""

    def write(self, value: str) -> str:
        return value


def _cell(value, zone) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _comments(scope: Scope) -> QuerySet:
    comments = Comment.objects.filter(
        brand_id__in=sorted(scope.brand_ids),
        posted_at__gte=scope.period.start,
        posted_at__lt=scope.period.end,
    )
    for field in ("platform", "category", "level"):
        if value := getattr(scope, field):
            comments = comments.filter(**{field: value})
    sources = [source for _, source in COMMENT_COLUMNS]
    return comments.order_by("pk").values_list("brand_id", "pii", *sources)


def _cases(scope: Scope) -> QuerySet:
    cases = Case.objects.filter(
        brand_id__in=sorted(scope.brand_ids),
        opened_at__gte=scope.period.start,
        opened_at__lt=scope.period.end,
    )
    if scope.platform:
        cases = cases.filter(author__platform=scope.platform)
    for field in ("category", "level"):
        if value := getattr(scope, field):
            cases = cases.filter(**{field: value})
    sources = [source for _, source in CASE_COLUMNS]
    return cases.order_by("pk").values_list("brand_id", _PERSONAL_DATA, *sources)


_TEXT = [name for name, _ in COMMENT_COLUMNS].index("text")


def _comment_lines(scope: Scope, *, unmasked: frozenset[int]) -> Iterator[list]:
    yield [name for name, _ in COMMENT_COLUMNS]
    zone = scope.period.zone
    for brand_id, spans, *row in _comments(scope).iterator(chunk_size=CHUNK_ROWS):
        if brand_id not in unmasked:
            row[_TEXT] = mask_text(row[_TEXT], spans)
        yield [_cell(value, zone) for value in row]


def _case_lines(scope: Scope, *, unmasked: frozenset[int]) -> Iterator[list]:
    yield [name for name, _ in CASE_COLUMNS] + list(PERSONAL_FIELDS)
    zone = scope.period.zone
    for brand_id, personal, *row in _cases(scope).iterator(chunk_size=CHUNK_ROWS):
        data = (personal or {}) if brand_id in unmasked else mask_personal_data(personal)
        yield [_cell(value, zone) for value in row] + [
            _cell(data.get(field, ""), zone) for field in PERSONAL_FIELDS
        ]


def _audit_lines(scope: AuditScope) -> Iterator[list]:
    """The events as written: their payloads hold personal data already masked."""
    yield [name for name, _ in AUDIT_COLUMNS]
    zone = scope.period.zone
    events = audit_events(scope).values_list(*(source for _, source in AUDIT_COLUMNS))
    for row in events.iterator(chunk_size=CHUNK_ROWS):
        yield [_cell(value, zone) for value in row]


def _csv_chunks(lines: Iterable[list], record_id: int) -> Iterator[str]:
    """The lines as CSV text, ``WRITE_LINES`` at a time; the record is completed when the last
    one has been handed over."""
    writer = csv.writer(_Echo())
    chunk: list[str] = []
    rows = -1  # the header is no row
    for line in lines:
        chunk.append(writer.writerow(line))
        rows += 1
        if len(chunk) >= WRITE_LINES:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk)
    ExportRecord.objects.filter(pk=record_id).update(rows=rows, finished_at=timezone.now())


def export_start(*, kind: str, scope: Scope | AuditScope, actor, filters: dict) -> Iterator[str]:
    """Record who exports what, and answer the export's CSV text as it is read."""
    unmasked = brand_ids_for(actor, WORK) & scope.brand_ids
    record = ExportRecord.objects.create(
        actor=actor,
        kind=kind,
        brand_ids=sorted(scope.brand_ids),
        filters=filters,
        masked=unmasked != scope.brand_ids,
    )
    lines: Iterator[list]
    if kind == ExportKind.AUDIT:
        assert isinstance(scope, AuditScope), "the audit's filters are its own"
        lines = _audit_lines(scope)
    else:
        assert isinstance(scope, Scope), "comments and cases take the reports' filters"
        if kind == ExportKind.COMMENTS:
            lines = _comment_lines(scope, unmasked=unmasked)
        else:
            lines = _case_lines(scope, unmasked=unmasked)
    return _csv_chunks(lines, record.pk)
