"""History import: a CSV or JSON Lines file of comments, streamed through intake in batches.

A line is an item of ``POST /api/v1/comments/`` (docs/api.md): the same fields, checked by the
same validation and stored by the same intake (``intake.ingest_each``), in its historic mode, so
last month's comments are classified, filed in cases and counted in the indicators, and call
no committee and start no ripple. Other headers are renamed with a mapping (``--map
their_header=our_field``). In a CSV every cell is text: an empty cell is a field left out, and
the counts are read as whole numbers.

One bad line never holds back the others: a line that is not JSON, a CSV record that does not
parse, an item intake refuses, each is written to the rejects file (JSON Lines, one per line:
``{"line", "errors": [{"field", "message"}], "raw"}``) and the batch goes on without it.

The file is read a line at a time, never whole: memory stays flat whatever its size. The job's
row (``ImportJob``) is the checkpoint: each batch is stored and the row moved past it in one
transaction, together with the counts and the size of the rejects written so far, so a run
stopped anywhere (Ctrl-C, a killed worker, the database gone) resumes at the first line not
committed, counts nothing twice, and writes each reject once. The row also tells the page how
far an upload has got.
"""

import csv
import gc
import hashlib
import logging
import queue
import re
import threading
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import BinaryIO

import orjson
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.access import brand_ids_for
from brands.models import Brand
from classifier.pipeline import analyse_texts
from comments import intake
from comments.models import ImportJob
from comments.validation import COUNT_FIELDS, ITEM_FIELDS, REQUIRED_FIELDS
from core.errors import DomainError
from core.queueing import publish_in_chunks

logger = logging.getLogger(__name__)

RUN_TASK = "comments.tasks.run_import"
PERMISSION = "comments.import_comments"
BATCH_SIZE = 500
#: A physical line longer than this is refused whole and skipped, so one line without a line
#: break (a binary file, a broken export) cannot fill the memory.
MAX_LINE_BYTES = 1 << 20
#: What a reject keeps of its line, to be read and fixed.
MAX_RAW_CHARS = 20_000
EXTENSIONS = {".csv": ImportJob.Format.CSV, ".jsonl": ImportJob.Format.JSONL}
EXTENSIONS[".ndjson"] = ImportJob.Format.JSONL

State = ImportJob.State
_SURROGATE = re.compile("[\udc80-\udcff]")
_DIGITS = re.compile(r"\s*[-+]?\d+\s*")


class ImportRefused(DomainError):
    """The file cannot be imported as asked (no such file, unknown columns, a bad mapping):
    nothing of it was stored, and the message says what to change."""


class ImportConflict(DomainError):
    """Another run moved the job's checkpoint meanwhile: this run's batch was rolled back."""


@dataclass(frozen=True)
class Options:
    format: str
    mapping: dict[str, str] = field(default_factory=dict)
    ignore_unknown: bool = False


def file_format(name: str, given: str | None = None) -> str:
    """``csv`` or ``jsonl``: as given, else by the file's extension."""
    if given:
        if given not in ImportJob.Format.values:
            raise ImportRefused(
                _("Unknown format %(format)s: use csv or jsonl.") % {"format": given}
            )
        return given
    found = EXTENSIONS.get(Path(name).suffix.lower())
    if found is None:
        raise ImportRefused(
            _("Cannot tell the format of %(name)s: name it .csv or .jsonl, or say --format.")
            % {"name": Path(name).name}
        )
    return found


def mapping_parse(pairs) -> dict[str, str]:
    """``["their_header=our_field", …]`` as a mapping; refused with the reason when a pair is
    not of that form, names no field of ours, or two headers would fill one field."""
    mapping: dict[str, str] = {}
    for pair in pairs or ():
        theirs, sep, ours = (part.strip() for part in str(pair).partition("="))
        if not sep or not theirs or not ours:
            raise ImportRefused(
                _("--map takes their_header=our_field, not %(pair)r.") % {"pair": pair}
            )
        if ours not in ITEM_FIELDS:
            raise ImportRefused(
                _("--map %(pair)s: %(field)s is not a field of ours (%(fields)s).")
                % {"pair": pair, "field": ours, "fields": ", ".join(ITEM_FIELDS)}
            )
        if theirs in mapping:
            raise ImportRefused(_("--map names %(header)s twice.") % {"header": theirs})
        if ours in mapping.values():
            raise ImportRefused(_("--map fills %(field)s from two headers.") % {"field": ours})
        mapping[theirs] = ours
    return mapping


@dataclass(frozen=True)
class Survey:
    sha256: str
    size: int
    lines: int


def file_survey(path: Path) -> Survey:
    """The file's SHA-256 (which finds an interrupted import of it again), size and lines, in
    one pass of 1 MiB reads."""
    digest, size, lines, last = hashlib.sha256(), 0, 0, b"\n"
    with open(path, "rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return Survey(digest.hexdigest(), size, lines + (last != b"\n"))


# --- reading ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Record:
    """One line (a CSV record: its lines) of the file: the item it holds, or why it holds
    none. ``end_line`` and ``end_offset`` are where the file is read up to after it."""

    line: int
    end_line: int
    end_offset: int
    raw: str
    item: dict | None = None
    errors: list[dict] | None = None


def _physical_lines(source, offset: int, line: int) -> Iterator[tuple[int, bytes, int, bool]]:
    """``(number, bytes, offset after it, too long)`` for each line from ``offset``; a line
    past ``MAX_LINE_BYTES`` comes cut there, and the rest of it is skipped unread."""
    source.seek(offset)
    while data := source.readline(MAX_LINE_BYTES):
        line += 1
        offset += len(data)
        too_long = len(data) == MAX_LINE_BYTES and not data.endswith(b"\n")
        while too_long and (rest := source.readline(MAX_LINE_BYTES)):
            offset += len(rest)
            if rest.endswith(b"\n"):
                break
        yield line, data, offset, too_long


def _too_long_error() -> list[dict]:
    return [{"field": None, "message": f"the line is longer than {MAX_LINE_BYTES} bytes"}]


def _raw(text: str) -> str:
    return text[:MAX_RAW_CHARS]


class _Reader:
    """Records of one format from a byte offset; ``header_end`` is where data starts."""

    header_end = 0

    def __init__(self, source, options: Options):
        self.source = source
        self.options = options

    def records(self, offset: int, line: int) -> Iterator[Record]:
        raise NotImplementedError


class _JsonLines(_Reader):
    def records(self, offset: int, line: int) -> Iterator[Record]:
        mapping, ignore = self.options.mapping, self.options.ignore_unknown
        for number, data, end, too_long in _physical_lines(self.source, offset, line):
            if too_long:
                raw = data[:MAX_RAW_CHARS].decode(errors="replace")
                yield Record(number, number, end, raw, errors=_too_long_error())
                continue
            if not data.strip():
                continue
            try:
                value = orjson.loads(data)
            except orjson.JSONDecodeError as error:
                message = f"is not valid JSON: {error}"
                raw = _raw(data.decode(errors="replace").rstrip("\r\n"))
                yield Record(number, number, end, raw, errors=[{"field": None, "message": message}])
                continue
            if not isinstance(value, dict):
                raw = _raw(data.decode().rstrip("\r\n"))
                not_object = {"field": None, "message": "must be a JSON object"}
                yield Record(number, number, end, raw, errors=[not_object])
                continue
            item, errors = _mapped(value, mapping, ignore) if (mapping or ignore) else (value, [])
            raw = _raw(data.decode().rstrip("\r\n"))
            yield Record(number, number, end, raw, item=None if errors else item, errors=errors)


def _mapped(value: dict, mapping: dict[str, str], ignore: bool) -> tuple[dict, list[dict]]:
    """A JSON line's keys renamed; with ``ignore`` those that are no field of ours dropped."""
    item: dict = {}
    errors = []
    for key, cell in value.items():
        target = mapping.get(key, key)
        if ignore and target not in ITEM_FIELDS:
            continue
        if target in item:
            errors.append({"field": target, "message": "is given twice"})
        item[target] = cell
    return item, errors


class _Csv(_Reader):
    """Records of a CSV file whose first record names the columns (a UTF-8 byte-order mark, as
    spreadsheets write, is skipped). A record may span lines inside quotes."""

    def __init__(self, source, options: Options):
        super().__init__(source, options)
        self.lines: list[tuple[int, str, bool]] = []
        self.cursor = (0, 0)  # (line, offset) read up to
        header = self._header()
        self.columns = _columns(header, options)

    def _feed(self, offset: int, line: int) -> Iterator[str]:
        for number, data, end, too_long in _physical_lines(self.source, offset, line):
            text = data.decode("utf-8", "surrogateescape")
            if number == 1:
                text = text.removeprefix("\ufeff")
            self.lines.append((number, text, too_long))
            self.cursor = (number, end)
            yield text

    def _reader(self, offset: int, line: int):
        return csv.reader(self._feed(offset, line), strict=True)

    def _header(self) -> list[str]:
        reader = self._reader(0, 0)
        try:
            header = next(reader)
        except StopIteration:
            raise ImportRefused(
                _("The file is empty: a CSV file starts with its header.")
            ) from None
        except csv.Error as error:
            raise ImportRefused(
                _("The CSV header does not parse: %(error)s") % {"error": error}
            ) from None
        self.header_end = self.cursor[1]
        self.header_line = self.cursor[0]
        self.lines.clear()
        return header

    def records(self, offset: int, line: int) -> Iterator[Record]:
        if offset < self.header_end:
            offset, line = self.header_end, self.header_line
        reader = self._reader(offset, line)
        columns = self.columns
        while True:
            try:
                row = next(reader)
                error = None
            except StopIteration:
                return
            except csv.Error as parse_error:
                row, error = None, f"does not parse as CSV: {parse_error}"
            consumed, self.lines = self.lines, []
            if not consumed:
                return
            first, end = consumed[0][0], self.cursor
            raw = _raw("".join(text for _, text, _ in consumed).rstrip("\r\n"))
            if error is None and any(too_long for _, _, too_long in consumed):
                error = _too_long_error()[0]["message"]
            if error is None and _SURROGATE.search(raw):
                error = "is not valid UTF-8"
            if error is None and row is not None and not row:
                continue  # a blank line
            if error is None and row is not None and len(row) != len(columns):
                error = f"has {len(row)} fields where the header has {len(columns)}"
            if error is not None or row is None:
                raw = raw.encode("utf-8", "surrogateescape").decode(errors="replace")
                errors = [{"field": None, "message": error}]
                yield Record(first, end[0], end[1], raw, errors=errors)
                continue
            yield Record(first, end[0], end[1], raw, item=_csv_item(columns, row))


def _columns(header: list[str], options: Options) -> list[str | None]:
    """Each column's field (None: left out), or refused naming the columns to map."""
    header = [name.strip() for name in header]
    mapping = options.mapping
    absent = sorted(set(mapping) - set(header))
    if absent:
        raise ImportRefused(
            _("--map names columns the file does not have: %(columns)s.")
            % {"columns": ", ".join(absent)}
        )
    fields = [mapping.get(name, name) for name in header]
    unknown = [
        name for name, target in zip(header, fields, strict=True) if target not in ITEM_FIELDS
    ]
    if unknown and not options.ignore_unknown:
        raise ImportRefused(
            _(
                "Columns that are no field of ours: %(columns)s. Map them with --map "
                "their_header=our_field, or leave them out with --ignore-unknown."
            )
            % {"columns": ", ".join(unknown)}
        )
    columns = [target if target in ITEM_FIELDS else None for target in fields]
    seen = [c for c in columns if c is not None]
    twice = sorted({c for c in seen if seen.count(c) > 1})
    if twice:
        raise ImportRefused(
            _("More than one column fills %(fields)s.") % {"fields": ", ".join(twice)}
        )
    missing = [name for name in REQUIRED_FIELDS if name not in seen]
    if missing:
        raise ImportRefused(
            _("The file has no column for %(fields)s: map one with --map their_header=%(first)s.")
            % {"fields": ", ".join(missing), "first": missing[0]}
        )
    return columns


def _csv_item(columns: list[str | None], row: list[str]) -> dict:
    """A CSV record as an item: empty cells left out, counts as whole numbers (a cell that is
    not one stays text, for validation to name)."""
    item: dict[str, str | int] = {}
    for name, cell in zip(columns, row, strict=True):
        if name is None or cell == "":
            continue
        if name in COUNT_FIELDS and _DIGITS.fullmatch(cell):
            item[name] = int(cell)
        else:
            item[name] = cell
    return item


def _reader(source, options: Options) -> _Reader:
    return (
        _Csv(source, options)
        if options.format == ImportJob.Format.CSV
        else _JsonLines(source, options)
    )


# --- the job ---------------------------------------------------------------------------------


def job_for_command(
    *, brand, path: Path, options: Options, rejects: Path, restart: bool = False
) -> tuple[ImportJob, bool]:
    """The command's job for this file: the unfinished one of the same brand and content,
    resumed (True), or a new one. ``restart`` starts again from the first line; the
    unfinished ones are closed as abandoned (what they stored stays, and is found again)."""
    with open(path, "rb") as source:
        _reader(source, options)  # a CSV's header is checked before anything is recorded
    survey = file_survey(path)
    unfinished = ImportJob.objects.filter(
        brand=brand, source=ImportJob.Source.COMMAND, sha256=survey.sha256
    ).exclude(state=State.DONE)
    if restart:
        unfinished.update(
            state=State.FAILED,
            error="Abandoned: --restart imported the file again from its first line.",
            finished_at=timezone.now(),
        )
    else:
        job = unfinished.order_by("-pk").first()
        if job is not None and not job.bytes_done:  # it stored nothing: nothing to resume
            job_fail(job, "Abandoned: a new run imported the file from its first line.")
        elif job is not None:
            if (job.format, job.mapping, job.ignore_unknown) != (
                options.format,
                options.mapping,
                options.ignore_unknown,
            ):
                raise ImportRefused(
                    _(
                        "An interrupted import of this file (#%(job)s, up to line %(line)s) read "
                        "it with other options (format %(format)s, --map %(mapping)s): run it "
                        "with those to resume, or add --restart."
                    )
                    % {
                        "job": job.pk,
                        "line": job.lines_done,
                        "format": job.format,
                        "mapping": " ".join(f"{k}={v}" for k, v in job.mapping.items()) or "-",
                    }
                )
            return job, True
    job = ImportJob.objects.create(
        brand=brand,
        source=ImportJob.Source.COMMAND,
        name=path.name[:255],
        path=str(path.resolve())[:1000],
        sha256=survey.sha256,
        size=survey.size,
        format=options.format,
        mapping=options.mapping,
        ignore_unknown=options.ignore_unknown,
        lines_total=survey.lines,
        rejects=str(rejects),
    )
    return job, False


def job_options(job: ImportJob) -> Options:
    return Options(job.format, dict(job.mapping), job.ignore_unknown)


@dataclass
class Outcome:
    """Where a run left its job: ``finished`` or stopped at a batch boundary (asked to)."""

    job: ImportJob
    finished: bool
    resumed_from: int


class _Rejects:
    """The rejects file, appended to; opened on the first reject. ``size`` is what the
    committed batches wrote: a run resumed cuts whatever an interrupted batch had added."""

    def __init__(self, path: Path, size: int):
        self.path = path
        self.size = size
        self.file: BinaryIO | None = None
        if size:
            with open(path, "r+b") as existing:
                existing.truncate(size)
        elif path.exists():
            path.unlink()  # a previous import's, of another run

    def write(self, rejects: list[tuple[int, list[dict], str]]) -> int:
        if not rejects:
            return self.size
        if self.file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.file = open(self.path, "ab")  # noqa: SIM115 (closed by close())
        assert self.file is not None
        lines = [
            orjson.dumps({"line": line, "errors": errors, "raw": raw}) + b"\n"
            for line, errors, raw in rejects
        ]
        self.file.write(b"".join(lines))
        self.file.flush()
        self.size = self.file.tell()
        return self.size

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def _rejects_start(job: ImportJob, path: Path) -> _Rejects:
    size = job.rejects_bytes
    if size and (str(path) != job.rejects or not path.exists() or path.stat().st_size < size):
        size = 0  # the earlier rejects are elsewhere: this file gets the rest
    if str(path) != job.rejects or size != job.rejects_bytes:
        ImportJob.objects.filter(pk=job.pk).update(rejects=str(path), rejects_bytes=size)
        job.rejects, job.rejects_bytes = str(path), size
    return _Rejects(path, size)


def job_run(
    job: ImportJob,
    *,
    path: Path,
    rejects: Path,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[ImportJob], None] | None = None,
    max_seconds: float | None = None,
    max_batches: int | None = None,
    read_ahead: bool = True,
) -> Outcome:
    """Import the file into the job's brand from its checkpoint on, a batch per transaction.

    Stops at a batch boundary once ``max_seconds`` have passed or ``max_batches`` are stored
    (``finished`` False: run it again to go on). Raises ImportRefused when the file cannot be
    read as asked (the job is then failed with that message), ImportConflict when another run
    has the job."""
    if rejects.resolve() == path.resolve():
        raise ImportRefused(_("The rejects file cannot be the file imported."))
    options = job_options(job)
    resumed_from = job.lines_done
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        state=State.RUNNING, started_at=job.started_at or now, updated_at=now, error=""
    )
    job.state, job.started_at, job.error = State.RUNNING, job.started_at or now, ""
    if job.lines_total is None:
        job.lines_total = file_survey(path).lines
        ImportJob.objects.filter(pk=job.pk).update(lines_total=job.lines_total)
    started = time.monotonic()
    batches = 0
    sink = _rejects_start(job, rejects)
    try:
        with open(path, "rb") as source, _collecting_between_batches():
            reader = _reader(source, options)
            pending = _batches(reader.records(job.bytes_done, job.lines_done), batch_size)
            for batch in _read_ahead(pending) if read_ahead else pending:
                _store_batch(job, batch, sink)
                batches += 1
                if on_batch:
                    on_batch(job)
                out_of_time = max_seconds is not None and time.monotonic() - started >= max_seconds
                if out_of_time or (max_batches is not None and batches >= max_batches):
                    if _is_last(job):
                        break
                    return Outcome(job, False, resumed_from)
    except ImportRefused as refused:
        job_fail(job, str(refused))
        raise
    finally:
        sink.close()
    _finish(job)
    if on_batch:
        on_batch(job)
    return Outcome(job, True, resumed_from)


def _is_last(job: ImportJob) -> bool:
    """Whether the batch just stored ended the file (its size is known to the job)."""
    return bool(job.size) and job.bytes_done >= job.size


def _batches(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


#: Batches read ahead of the one being stored.
READ_AHEAD = 2


def _read_ahead(batches: Iterator[list[Record]]) -> Iterator[list[Record]]:
    """The batches, read and parsed by a thread that also analyses their texts for the
    classifier (its memo is keyed by the text alone, and is shared by the threads), while this
    one waits on the database for the batch before: a batch spends about half its time there,
    in which Python is free to run. The thread touches no database and writes nothing; a
    failure in it is raised here, in the batch's place."""
    handoff: queue.Queue = queue.Queue(maxsize=READ_AHEAD)
    stop = threading.Event()

    def hand(kind: str, value) -> bool:
        while not stop.is_set():
            try:
                handoff.put((kind, value), timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def produce() -> None:
        try:
            for batch in batches:
                _texts_analyse(batch)
                if not hand("batch", batch):
                    return
        except BaseException as error:  # noqa: BLE001 (raised again in the consumer)
            hand("error", error)
        else:
            hand("end", None)

    reader = threading.Thread(target=produce, name="import-read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            kind, value = handoff.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        reader.join()


def _texts_analyse(batch: list[Record]) -> None:
    """Warm the classifier's memo with the batch's texts as validation will hand them on
    (trimmed, NFC); a text validation will refuse costs a wasted analysis, nothing else."""
    texts = []
    limit = settings.SEMAFORO["MAX_TEXT_CHARS"]
    for record in batch:
        text = record.item.get("text") if record.item is not None else None
        if type(text) is str and 0 < len(text) <= limit:
            text = text.strip()
            if text:
                texts.append(
                    text
                    if unicodedata.is_normalized("NFC", text)
                    else (unicodedata.normalize("NFC", text))
                )
    if texts:
        analyse_texts(texts)


@contextmanager
def _collecting_between_batches():
    """The cyclic collector paused while a batch is stored, and what was loaded before the
    import (the model, the lexicons) left out of its scans: a batch allocates tens of
    thousands of small objects and no cycles, and the collector walking them took a fifth of
    the import's time (as in ``classifier.pipeline.classify``). It runs between batches."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _store_batch(job: ImportJob, batch: list[Record], sink: _Rejects) -> None:
    """Store the batch and move the checkpoint past it, in one transaction."""
    refused = [(r.line, r.errors or [], r.raw) for r in batch if r.item is None]
    good = [r for r in batch if r.item is not None]
    end = batch[-1]
    collecting = gc.isenabled()
    gc.disable()
    try:
        _store_batch_atomically(job, batch, sink, refused, good, end)
    finally:
        if collecting:
            gc.enable()


def _store_batch_atomically(job, batch, sink, refused, good, end) -> None:
    with transaction.atomic():
        _commit_without_waiting_for_the_disk()
        ingested = (
            intake.ingest_each([r.item for r in good], brand_id=job.brand_id, historic=True)
            if good
            else intake.Ingested([], [])
        )
        by_index: dict[int, list[dict]] = defaultdict(list)
        for error in ingested.errors:
            by_index[error.index or 0].append({"field": error.field, "message": error.message})
        refused += [(good[i].line, errors, good[i].raw) for i, errors in by_index.items()]
        refused.sort(key=lambda reject: reject[0])
        created = sum(result.created for result in ingested.results)
        unchanged = len(ingested.results) - created
        rejects_bytes = sink.write(refused)
        moved = ImportJob.objects.filter(
            pk=job.pk, lines_done=job.lines_done, bytes_done=job.bytes_done
        ).update(
            lines_done=end.end_line,
            bytes_done=end.end_offset,
            created=F("created") + created,
            unchanged=F("unchanged") + unchanged,
            rejected=F("rejected") + len(refused),
            rejects_bytes=rejects_bytes,
            updated_at=timezone.now(),
        )
        if not moved:
            raise ImportConflict(
                _("Another run is importing this file (job #%(job)s).") % {"job": job.pk}
            )
    job.lines_done, job.bytes_done, job.rejects_bytes = end.end_line, end.end_offset, rejects_bytes
    job.created += created
    job.unchanged += unchanged
    job.rejected += len(refused)


def _commit_without_waiting_for_the_disk() -> None:
    """PostgreSQL's asynchronous commit for this transaction: the COMMIT does not wait for
    its WAL to reach the disk (a fifth of a batch's time). A crash of the server can lose the
    last few commits, never corrupt them, and a batch and the checkpoint that counts it are one
    transaction: lost together, so the resumed run imports those lines again, exactly once.
    Only the import does this; the API's intake answers a client after a durable commit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _finish(job: ImportJob) -> None:
    now = timezone.now()
    lines = max(job.lines_total or 0, job.lines_done)
    ImportJob.objects.filter(pk=job.pk).update(
        state=State.DONE, finished_at=now, updated_at=now, lines_done=lines, lines_total=lines
    )
    job.state, job.finished_at, job.lines_done, job.lines_total = State.DONE, now, lines, lines


def job_fail(job: ImportJob, error: str) -> None:
    """The job stops with this error; its checkpoint stays, so the command can resume it."""
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).exclude(state=State.DONE).update(
        state=State.FAILED, error=error[:4000], finished_at=now, updated_at=now
    )
    job.state, job.error, job.finished_at = State.FAILED, error[:4000], now


# --- uploads on the page, run by a worker ----------------------------------------------------


def rejects_name(job: ImportJob) -> str:
    """Where a worker writes an upload's rejects, in the uploads' storage."""
    return f"imports/rejects/{job.pk}.rejects.jsonl"


def upload_accept(
    *, actor, brand_id: int, upload, mapping: dict[str, str], ignore_unknown: bool
) -> ImportJob:
    """Keep an uploaded file as a queued job of a brand the person may import into; a worker
    imports it after commit. A CSV's header is checked here, so a file that cannot be read as
    asked is refused on the page, before anything waits for a worker."""
    brand = Brand.objects.get(pk=brand_id, pk__in=brand_ids_for(actor, PERMISSION))
    options = Options(file_format(upload.name), mapping, ignore_unknown)
    limit = settings.SEMAFORO["IMPORT_MAX_BYTES"]
    if upload.size > limit:
        raise ImportRefused(_("The file is larger than %(limit)s MiB.") % {"limit": limit // 2**20})
    upload.seek(0)
    _reader(upload, options)
    upload.seek(0)
    with transaction.atomic():
        job = ImportJob.objects.create(
            brand=brand,
            source=ImportJob.Source.UPLOAD,
            requested_by=actor,
            name=Path(upload.name).name[:255],
            file=upload,
            size=upload.size,
            format=options.format,
            mapping=options.mapping,
            ignore_unknown=options.ignore_unknown,
        )
        job.rejects = default_storage.path(rejects_name(job))
        job.save(update_fields=["rejects"])
        transaction.on_commit(partial(_enqueue, job.pk), robust=True)
    return job


def _enqueue(job_id: int) -> None:
    publish_in_chunks(RUN_TASK, [job_id], chunk=1)


def job_continue(job_id: int) -> bool:
    """The worker's turn at an upload: import for a slice of time from its checkpoint, then
    hand the rest to the next task. True when the job is done (or nothing is left to do)."""
    job = ImportJob.objects.filter(pk=job_id, source=ImportJob.Source.UPLOAD).first()
    if job is None or job.finished:
        return True
    try:
        outcome = job_run(
            job,
            path=Path(job.file.path),
            rejects=Path(default_storage.path(rejects_name(job))),
            max_seconds=settings.SEMAFORO["IMPORT_SLICE_S"],
        )
    except ImportRefused:
        return True  # failed with its reason, for the page to show
    except ImportConflict:
        logger.info("import #%s is in another worker's hands", job_id)
        return False
    except FileNotFoundError:
        job_fail(job, _("The uploaded file is gone from the uploads folder."))
        return True
    except DatabaseError:
        raise  # the task tries again; the checkpoint says where to go on
    except Exception as error:
        job_fail(job, f"{type(error).__name__}: {error}")
        raise
    if not outcome.finished:
        _enqueue(job.pk)
    return outcome.finished


def imports_sweep(*, now=None) -> list[int]:
    """Send again the uploads left unfinished and untouched for ``IMPORT_STALE_S``: their
    message was lost (the broker was down) or their worker died. A second message for a job
    that is in fact running only meets the checkpoint's check, and stops."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.SEMAFORO["IMPORT_STALE_S"])
    ids = list(
        ImportJob.objects.filter(
            source=ImportJob.Source.UPLOAD,
            state__in=[State.QUEUED, State.RUNNING],
            updated_at__lt=stale,
        ).values_list("pk", flat=True)[:100]
    )
    if ids:
        ImportJob.objects.filter(pk__in=ids).update(updated_at=now)
        publish_in_chunks(RUN_TASK, ids, chunk=1)
    return ids


def jobs_for(brand_ids) -> QuerySet[ImportJob]:
    """The imports of those brands, newest first."""
    return ImportJob.objects.filter(brand_id__in=sorted(brand_ids)).select_related(
        "brand", "requested_by"
    )


@dataclass(frozen=True)
class Progress:
    """What the page shows of a job under way: its rate and the time left at that rate."""

    lines_per_s: float | None
    seconds_left: float | None


def job_progress(job: ImportJob, *, now=None) -> Progress:
    now = now or timezone.now()
    if job.started_at is None or not job.lines_done:
        return Progress(None, None)
    elapsed = ((job.finished_at or now) - job.started_at).total_seconds()
    if elapsed <= 0:
        return Progress(None, None)
    rate = job.lines_done / elapsed
    left = None
    if not job.finished and job.lines_total and rate:
        left = max(0.0, (job.lines_total - job.lines_done) / rate)
    return Progress(rate, left)
