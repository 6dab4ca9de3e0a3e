"""Soak: the desk served by gunicorn for ten minutes under a bounded, mixed load, then checked.

A benchmark's spike says little about the desk after an hour on duty: a worker that leaks, a
hostile item that turns into a 500 once in a thousand, a batch half-written under concurrency.
This one creates its own database, serves the app with gunicorn on the loopback beside a Celery
worker for both queues (with beat, as in production), and runs ``--clients`` client threads for
``--minutes``. Each thread is one brand's social tool and two people, and in turn:

- pushes batches of a brand's day (``bench/traffic.py``) through ``POST /api/v1/comments/``,
  sometimes with one hostile item among them (NUL, year 0001 or 9999, ``{"platform": {}}``,
  over-long strings, control characters in identifiers, wrong types, a body that is no JSON),
  which must be answered 400 with nothing written, or sends an accepted batch again (200);
- polls the queue as a community manager does, signed in with a session;
- reads the API's lists (with the token and with a session), now and then with a query
  parameter out of bounds (400);
- works a case through the same forms the case page posts: take the next, start, draft a reply,
  send it on, publish it by hand once approved, resolve, close;
- approves, as a supervisor, a reply waiting on ``/approvals/``.

Any 5xx, connection failure or status the contract does not promise is an error. At the end
every item the API accepted must be stored exactly once, and the gunicorn workers' resident
memory (VmRSS) must have grown less than 10 % since the warm-up ended. Progress every 30 s.
Last line: ``requests=N errors=E p99_ms=X rss_growth_pct=Y lost=L duplicated=D``; the exit
status is non-zero when a target is missed.

    .venv/bin/python bench/soak.py [--minutes 10] [--clients 4] [--web-workers 2]
"""

import argparse
import html
import http.client
import itertools
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import psycopg
import traffic
from serving import (
    bench_env,
    empty_broker,
    free_port,
    migrate_with_bench_brand,
    recreate_database,
    run,
    start_celery_worker,
    start_gunicorn,
    stop_celery_worker,
    wait_for_port,
)

DB_NAME = os.environ.get("BENCH_DB", "semaforo_bench_soak")
BRAND = "bench"
RSS_GROWTH_LIMIT_PCT = 10.0
#: How often an operation comes up, per client thread: mostly intake, as on a real desk.
OPERATIONS = {
    "ingest": 40,
    "ingest_hostile": 6,
    "ingest_again": 3,
    "poll_queue": 20,
    "read_api": 14,
    "work_case": 12,
    "approve_reply": 5,
}
#: Comments in one pass of ``traffic.day``; the next pass is another day (another seed).
DAY_SIZE = 20_000
#: Errors printed as they happen; past these only counted.
ERRORS_SHOWN = 20
REQUEST_TIMEOUT_S = 120
PRIMING_TIMEOUT_S = 300
#: Steps one case may take before its community manager moves on (a step refused again and
#: again must not hold a client thread forever).
CASE_STEPS = 20
REPLY = (
    "Hola {name}, lamentamos mucho lo ocurrido con el caso #{case}. Ya lo revisamos con el "
    "equipo y te escribimos en privado hoy mismo."
)


def main():
    args = parse_args()
    signal.signal(signal.SIGTERM, _interrupt)
    database_url = recreate_database(DB_NAME)
    env = soak_env(database_url)
    password = secrets.token_urlsafe(24)
    token = prepare_desk(env, password, args.clients)
    tally, ledger = Tally(), Ledger()
    memory = serve_and_drive(env, token, password, tally, ledger, args)
    lost, duplicated, leaked = check_stored(database_url, ledger)
    report(tally, ledger, memory, lost, duplicated, leaked)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10, help="how long (default 10)")
    parser.add_argument("--clients", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--celery-workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=50, help="most comments in a batch")
    parser.add_argument(
        "--warm-up",
        type=float,
        help="seconds of load before the first memory reading (default 30, or 5 %% of a run "
        "longer than 10 minutes; at most half the run)",
    )
    parser.add_argument("--report-every", type=float, default=30, help="seconds between lines")
    args = parser.parse_args()
    args.seconds = args.minutes * 60
    if args.warm_up is None:
        args.warm_up = min(max(30.0, 0.05 * args.seconds), args.seconds / 2)
    return args


def soak_env(database_url: str) -> dict:
    """The benches' production settings, with mail kept in memory and the log at errors: the
    desk's own warnings come by the hundred under this load (a crisis with nobody at a contact
    level, a deadline with nobody on duty to tell) and a 500's traceback must stand out."""
    return bench_env(
        database_url,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="ERROR",
    )


def serve_and_drive(env, token, password, tally, ledger, args) -> "Memory":
    """gunicorn and a Celery worker up, the clients driven against them, and everything
    stopped again however the run ends (Ctrl-C included)."""
    empty_broker()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="soak-beat-") as beat_dir:
        server = start_gunicorn(env, port, args.web_workers, stderr=subprocess.PIPE)
        relay = relay_server_log(server)
        worker = start_celery_worker(env, args.celery_workers, beat_dir=beat_dir)
        try:
            wait_for_port(port)
            return drive(port, token, password, tally, ledger, args, server.pid)
        except KeyboardInterrupt:
            sys.exit("interrupted: everything started was stopped")
        finally:
            stop_celery_worker(worker)
            server.terminate()
            server.wait(timeout=30)
            relay.join(timeout=5)
            empty_broker()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


# --- the desk --------------------------------------------------------------------------------

SETUP = """
import os
from django.contrib.auth import get_user_model
from brands.grants import grant_role
from brands.models import Brand
from brands.roles import Role
brand = Brand.objects.get(slug=os.environ['SOAK_BRAND'])
password = os.environ['SOAK_PASSWORD']
for n in range(int(os.environ['SOAK_PEOPLE'])):
    for prefix, role in (('cm', Role.COMMUNITY_MANAGER), ('sup', Role.SUPERVISOR)):
        user = get_user_model().objects.create_user(
            f'{prefix}-{n}', email=f'{prefix}-{n}@bench.example.com', password=password
        )
        grant_role(user, role, brand=brand)
committee = get_user_model().objects.create_user('committee', email='committee@bench.example.com')
grant_role(committee, Role.CRISIS_COMMITTEE, brand=brand)
"""


def prepare_desk(env: dict, password: str, people: int) -> str:
    """Migrate, seat a community manager and a supervisor per client thread with ``password``
    (with e-mails: deadline alarms go to them) and a crisis committee the reds are escalated
    to, and answer the brand's REST client token. The pages are served with the production
    settings, whose templates need the collected static files a build makes (``staticfiles/``,
    as the Dockerfile does; ignored by git)."""
    run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    migrate_with_bench_brand(env)
    setup_env = {**env, "SOAK_BRAND": BRAND, "SOAK_PASSWORD": password, "SOAK_PEOPLE": str(people)}
    run([sys.executable, "manage.py", "shell", "-c", SETUP], setup_env)
    return run(
        [sys.executable, "manage.py", "create_api_token", "soak", "--brand", BRAND], env
    ).splitlines()[-1]


#: What gunicorn logs for each hostile request answered 400, as the run means it to be.
_EXPECTED_WARNING = re.compile(r" WARNING django\.request: Bad Request: /api/v1/comments/$")


def relay_server_log(server) -> threading.Thread:
    """Copy gunicorn's log to this script's stderr, without the warning each 400 leaves: a
    500's traceback must stand out among the progress lines, not hide among hundreds."""

    def relay():
        for raw in server.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if not _EXPECTED_WARNING.search(line):
                print(line, file=sys.stderr, flush=True)

    thread = threading.Thread(target=relay, daemon=True)
    thread.start()
    return thread


# --- the run ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Memory:
    start_kib: int
    end_kib: int
    start_pids: tuple[int, ...]
    end_pids: tuple[int, ...]

    @property
    def growth_pct(self) -> float:
        return (self.end_kib - self.start_kib) / self.start_kib * 100 if self.start_kib else 0.0


def drive(port: int, token: str, password: str, tally, ledger, args, master: int) -> Memory:
    """Prime the clients, run them for ``--minutes`` printing progress, and answer the
    workers' memory when the warm-up ended and when the load stopped.

    The clock starts once every client has signed in and sent each kind of request once (the
    first ones load the model and open the connections), so that a short trial's warm-up is
    load, not start-up."""
    feed, stop, go, primed = Feed(args.batch), threading.Event(), threading.Event(), []
    desks = [
        Desk(n, port, token, password, feed, ledger, tally, random.Random(n))
        for n in range(args.clients)
    ]
    threads = [
        threading.Thread(target=desk.work, args=(stop, go, primed), daemon=True) for desk in desks
    ]
    print(
        f"soak: {args.minutes:g} min, {args.clients} clients, {args.web_workers} gunicorn "
        f"workers, {args.celery_workers} Celery processes; memory read after {args.warm_up:.0f} s",
        flush=True,
    )
    for thread in threads:
        thread.start()
    try:
        wait_primed(primed, len(desks))
        go.set()
        started = time.monotonic()
        start_kib, start_pids = wait_and_report(tally, ledger, started, args.warm_up, args, master)
        wait_and_report(tally, ledger, started, args.seconds, args, master)
        end_kib, end_pids = workers_rss_kib(master)
    finally:
        stop.set()
        go.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT_S + 5)
    return Memory(start_kib, end_kib, start_pids, end_pids)


def wait_primed(primed: list, clients: int) -> None:
    deadline = time.monotonic() + PRIMING_TIMEOUT_S
    while len(primed) < clients and time.monotonic() < deadline:
        time.sleep(0.1)
    print(f"primed {len(primed)} of {clients} clients; the clock starts", flush=True)


def wait_and_report(tally, ledger, started: float, until: float, args, master: int):
    """Sleep until ``until`` seconds into the run, printing a progress line every
    ``--report-every`` seconds; answer the workers' memory then."""
    while (elapsed := time.monotonic() - started) < until:
        next_line = (elapsed // args.report_every + 1) * args.report_every
        time.sleep(max(0.05, min(until, next_line) - elapsed))
        if time.monotonic() - started >= next_line - 0.01:
            print_progress(tally, ledger, time.monotonic() - started, master)
    return workers_rss_kib(master)


def print_progress(tally: "Tally", ledger: "Ledger", elapsed: float, master: int) -> None:
    total, errors, p99, recent, recent_p99 = tally.progress()
    rss_kib, pids = workers_rss_kib(master)
    print(
        f"{elapsed:5.0f} s  requests={total} errors={errors} p99_ms={p99:.0f}  "
        f"(last stretch: {recent} requests, p99 {recent_p99:.0f} ms)  "
        f"accepted={len(ledger.accepted)} workers_rss={rss_kib / 1024:.0f} MiB ({len(pids)})",
        flush=True,
    )


def workers_rss_kib(master: int) -> tuple[int, tuple[int, ...]]:
    """The resident memory of gunicorn's workers (the master's children), summed: what grows
    if a worker leaks. The pids say whether a worker was replaced along the way."""
    pids = tuple(sorted(pid for pid in _all_pids() if _parent(pid) == master))
    return sum(_rss_kib(pid) for pid in pids), pids


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            # The command may hold spaces and parentheses: the fields start after the last ")".
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


# --- what the clients send -------------------------------------------------------------------


class Feed:
    """Comments as a brand's day brings them, without end: each pass a new day of
    ``traffic.day`` (another seed) that ended when the pass began, each item a new external id,
    so every item the API accepts can be looked for afterwards.

    Each item keeps its time in its day. The soak sends a day in about four minutes, and had it
    stamped every item "now", each batch's ripple window would hold every comment of the run
    so far: a storm growing without end (``bench/ingest.py --workload storm`` measures storms),
    and the workers' memory with it. In its day's hours, the window holds an hour of a busy
    day, once for each pass."""

    def __init__(self, batch: int):
        self.batch = batch
        self.lock = threading.Lock()
        self.pending: deque[dict] = deque()
        self.seeds = itertools.count(101)
        self.numbers = itertools.count()

    def take(self, count: int) -> list[dict]:
        with self.lock:
            while len(self.pending) < count:
                start = datetime.now(UTC) - traffic.DAY
                day = traffic.day(DAY_SIZE, start=start, seed=next(self.seeds))
                self.pending.extend(day.items)
            items = [self.pending.popleft() for _ in range(count)]
            numbers = [next(self.numbers) for _ in range(count)]
        return [
            {**item, "external_id": f"soak-{number}"}
            for item, number in zip(items, numbers, strict=True)
        ]


def _with(field: str, value):
    return lambda item: {**item, field: value}


#: One item the contract refuses, made from a valid one: each must be answered 400 and refuse
#: its whole batch (docs/api.md, "Limits on values").
HOSTILE_ITEMS = {
    "NUL in text": lambda item: {**item, "text": f"{item['text'][:20]}\x00{item['text'][20:]}"},
    "NUL in external_id": lambda item: {**item, "external_id": item["external_id"] + "\x00"},
    "line break in author_handle": _with("author_handle", "@bench\nuser"),
    "tab in external_id": lambda item: {**item, "external_id": item["external_id"] + "\tx"},
    "escape in account": _with("account", "\x1b[31maurora"),
    "C1 control in author_display_name": _with("author_display_name", "Ana\x85"),
    "line separator in in_reply_to": _with("in_reply_to", "123\u2028456"),
    "year 0001": _with("posted_at", "0001-01-01T00:00:00+14:00"),
    "year 9999": _with("posted_at", "9999-12-31T23:59:59Z"),
    "timestamp without zone": _with("posted_at", "2026-01-01T10:00:00"),
    "platform as object alone": lambda item: {"platform": {}},
    "platform as object": _with("platform", {}),
    "unknown platform": _with("platform", "myspace"),
    "text too long": _with("text", "queja " * 2000),
    "external_id too long": _with("external_id", "x" * 256),
    "author_handle too long": _with("author_handle", "@" + "a" * 300),
    "url too long": _with("url", "https://example.com/" + "a" * 2000),
    "lang too long": _with("lang", "es-abcdefghi"),
    "blank text": _with("text", " \n\t "),
    "likes as string": _with("likes", "12"),
    "likes as float": _with("likes", 12.0),
    "likes as boolean": _with("likes", True),
    "shares as list": _with("shares", []),
    "negative followers": _with("author_followers", -1),
    "followers past 64 bits": _with("author_followers", 2**63),
    "text as number": _with("text", 12345),
    "external_id as number": _with("external_id", 12345),
    "null author_handle": _with("author_handle", None),
    "unknown field": _with("colour", "red"),
}
#: Bodies that are no batch at all.
HOSTILE_BODIES = {
    "malformed JSON": b'[{"platform": "twitter", ',
    "not UTF-8": b'[{"platform": "twitter", "text": "\xff\xfe"}]',
    "NaN count": b'[{"platform": "twitter", "external_id": "nan-1", "text": "hola", '
    b'"author_handle": "@x", "likes": NaN}]',
    "lone surrogate": b'[{"platform": "twitter", "external_id": "sur-1", "text": "\\ud800", '
    b'"author_handle": "@x"}]',
    "a string": b'"hola"',
    "null": b"null",
    "an empty list": b"[]",
    "a list of numbers": b"[1, 2, 3]",
    "a nested list": b"[[{}]]",
}
#: Query parameters the contract holds to limits: each a 400 naming the parameter.
HOSTILE_QUERIES = (
    "since=0001-01-01T00:00:00Z",
    "until=9999-12-31T00:00:00Z",
    "since=yesterday",
    "page_size=100000",
    "page_size=0",
    "page_size=ten",
    "cursor=not-a-cursor",
    "level=purple",
    "status=sleeping",
    "platform=myspace",
)


class Ledger:
    """What the API said about each pushed item: the external ids it accepted (they must be
    stored, once), those of refused batches (none may be stored), and recent accepted batches
    to send again."""

    def __init__(self):
        self.lock = threading.Lock()
        self.accepted: set[str] = set()
        self.refused: set[str] = set()
        self.recent_batches: deque[bytes] = deque(maxlen=50)
        self.recent_ids: deque[int] = deque(maxlen=200)
        self.hostile: Counter[str] = Counter()

    def accept(self, body: bytes, results: list[dict]) -> None:
        with self.lock:
            self.accepted.update(result["external_id"] for result in results)
            self.recent_ids.extend(result["id"] for result in results)
            self.recent_batches.append(body)

    def refuse(self, what: str, external_ids: list[str]) -> None:
        with self.lock:
            self.refused.update(external_ids)
            self.hostile[what] += 1

    def batch_to_send_again(self, rng: random.Random) -> bytes | None:
        with self.lock:
            return rng.choice(self.recent_batches) if self.recent_batches else None

    def comment_to_read(self, rng: random.Random) -> int | None:
        with self.lock:
            return rng.choice(self.recent_ids) if self.recent_ids else None


# --- talking to the desk ---------------------------------------------------------------------


class Tally:
    """Every request's time and whether the desk answered as its contract promises; shared by
    the client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.timings: list[float] = []
        self.by_kind: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.refusals: Counter[str] = Counter()
        self.steps: Counter[str] = Counter()
        self.reported = 0

    def record(self, kind: str, ms: float, error: str | None = None) -> None:
        with self.lock:
            self.timings.append(ms)
            self.by_kind[kind].append(ms)
        if error is not None:
            self.fault(kind, error)

    def fault(self, kind: str, error: str) -> None:
        """An error: shown as it happens (the first ``ERRORS_SHOWN``), counted always."""
        with self.lock:
            self.errors[kind] += 1
            shown = sum(self.errors.values()) <= ERRORS_SHOWN
        if shown:
            print(f"ERROR {kind}: {error}", flush=True)

    def refused(self, step: str, message: str) -> None:
        """The desk refused a step with a message to the person (a race between two people,
        or this script asking something the rules forbid): not an error, but counted."""
        with self.lock:
            self.refusals[step] += 1
            first = self.refusals[step] == 1
        if first:
            print(f"note: the desk refused {step}: {message}", flush=True)

    def done(self, step: str) -> None:
        with self.lock:
            self.steps[step] += 1

    def progress(self) -> tuple[int, int, float, int, float]:
        """Requests, errors and p99 so far, and the requests and p99 since the last call."""
        with self.lock:
            timings, since = sorted(self.timings), self.timings[self.reported :]
            self.reported = len(self.timings)
            errors = sum(self.errors.values())
        return (
            len(timings),
            errors,
            percentile(timings, 99),
            len(since),
            percentile(sorted(since), 99),
        )


def percentile(values: list[float], pct: float) -> float:
    """Nearest rank over sorted ``values``."""
    if not values:
        return float("nan")
    rank = max(0, min(len(values) - 1, round(pct / 100 * len(values) + 0.5) - 1))
    return values[rank]


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes
    location: str
    cookies: list[str]

    def json(self):
        return json.loads(self.body)

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Connection:
    """One client's connection to the desk. Every exchange is timed and judged: an answer
    outside ``expect``, a 5xx or a connection failure is an error, and answers None."""

    def __init__(self, port: int, tally: Tally):
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
        self.tally = tally

    def exchange(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        expect: frozenset[int],
        body: bytes | None = None,
        headers: dict | None = None,
    ) -> Answer | None:
        started = time.perf_counter()
        try:
            self.http.request(method, path, body=body, headers=headers or {})
            response = self.http.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.http.close()
            self.tally.record(kind, _ms(started), f"{method} {path}: {error!r}")
            return None
        ms = _ms(started)
        if response.status not in expect:
            self.tally.record(
                kind,
                ms,
                f"{method} {path} answered {response.status}, expected "
                f"{'/'.join(map(str, sorted(expect)))}: {payload[:400]!r}",
            )
            return None
        self.tally.record(kind, ms)
        return Answer(
            response.status,
            payload,
            response.getheader("Location", ""),
            response.msg.get_all("Set-Cookie") or [],
        )


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


OK, CREATED, FOUND, BAD_REQUEST = (
    frozenset({200}),
    frozenset({201}),
    frozenset({302}),
    frozenset({400}),
)


class Browser(Connection):
    """A person's browser: one session's cookies; a form posted is followed to the page it
    leads to, as a browser does (which also reads the message the step left)."""

    def __init__(self, port: int, tally: Tally):
        super().__init__(port, tally)
        self.cookies: dict[str, str] = {}

    def get(self, kind: str, path: str, *, expect=OK, headers: dict | None = None):
        answer = self.exchange(kind, "GET", path, expect=expect, headers=self._headers(headers))
        self._keep_cookies(answer)
        return answer

    def post(self, kind: str, path: str, fields: dict, *, follow: str | None = None):
        """Post a form with its CSRF token; answer the page it redirects to (``follow``: the
        kind that GET is counted as), or the redirect itself."""
        body = urlencode({**fields, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
        headers = self._headers({"Content-Type": "application/x-www-form-urlencoded"})
        answer = self.exchange(
            kind, "POST", path, expect=FOUND, body=body.encode(), headers=headers
        )
        self._keep_cookies(answer)
        if answer is None or follow is None:
            return answer
        target = urlsplit(answer.location)
        return self.get(follow, target.path + (f"?{target.query}" if target.query else ""))

    def log_in(self, username: str, password: str) -> bool:
        self.cookies.clear()
        if self.get("login", "/accounts/login/") is None:
            return False
        fields = {"username": username, "password": password, "next": "/"}
        page = self.post("login", "/accounts/login/", fields, follow="queue page")
        return page is not None and self.signed_in

    @property
    def signed_in(self) -> bool:
        return "sessionid" in self.cookies

    def _headers(self, extra: dict | None) -> dict:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return {**({"Cookie": cookie} if cookie else {}), **(extra or {})}

    def _keep_cookies(self, answer: Answer | None) -> None:
        if answer is None:
            return
        for header in answer.cookies:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.coded_value


_WARNING = re.compile(r'<li class="msg-warning">(.*?)</li>', re.S)
_ACTION = re.compile(r'class="inline-form action-(\w+)"')
_REPLY = re.compile(r'<article class="reply reply-(\w+)" data-reply-id="(\d+)"')
_OUTCOMES = re.compile(r'<select name="outcome" required>(.*?)</select>', re.S)
_OPTION = re.compile(r'<option value="(\w+)">')
_APPROVAL = re.compile(
    r'<section class="card approval" data-reply-id="(\d+)">.*?'
    r'<textarea name="body" rows="4">(.*?)</textarea>',
    re.S,
)
_CASE_PATH = re.compile(r"^/cases/(\d+)/$")
_SENT = {"published", "sent_by_hand"}


# --- one client thread -----------------------------------------------------------------------


class Desk:
    """One client thread: the brand's social tool with its token, a community manager and a
    supervisor, each on a connection of their own, taking turns at random."""

    def __init__(self, number, port, token, password, feed, ledger, tally, rng):
        self.number, self.password = number, password
        self.feed, self.ledger, self.tally, self.rng = feed, ledger, tally, rng
        self.tool = Connection(port, tally)
        self.token_headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        self.manager, self.supervisor = Browser(port, tally), Browser(port, tally)
        self.case_id: int | None = None
        self.case_steps = 0

    def work(self, stop: threading.Event, go: threading.Event, primed: list) -> None:
        self._safely("prime", self.prime)
        primed.append(self.number)
        go.wait()
        names, weights = zip(*OPERATIONS.items(), strict=True)
        while not stop.is_set():
            name = self.rng.choices(names, weights)[0]
            self._safely(name, getattr(self, name))

    def prime(self) -> None:
        """Sign in, and each kind of request once."""
        self._signed_in(self.manager, "cm")
        self._signed_in(self.supervisor, "sup")
        for _ in range(3):
            self.ingest()
        self.poll_queue()
        self.manager.get("queue page", "/")
        self._read_with_token("api list", "/api/v1/comments/?page_size=50")
        self.supervisor.get("approvals page", "/approvals/")

    def _safely(self, name: str, operation) -> None:
        """An operation that raises (an answer of the wrong shape, say) is an error of the run,
        never the end of a client thread."""
        try:
            operation()
        except Exception as error:  # counted and shown, never swallowed
            self.tally.fault(name, f"the client failed: {error!r}")

    # --- the social tool

    def ingest(self) -> None:
        """New comments: 201, one result per item, each created."""
        items = self.feed.take(self.rng.randint(1, self.feed.batch))
        body = json.dumps(items).encode()
        answer = self._push("ingest", body, CREATED)
        if answer is None:
            return
        results = answer.json()["results"]
        sent = [item["external_id"] for item in items]
        if [result["external_id"] for result in results] != sent:
            self.tally.fault("ingest", f"results do not answer the items sent, in order: {sent}")
        elif not all(result["created"] for result in results):
            self.tally.fault("ingest", f"new comments answered as already there: {sent}")
        self.ledger.accept(body, results)

    def ingest_hostile(self) -> None:
        """A batch with one hostile item among valid ones, or a body that is no batch at all:
        400, and none of its items stored."""
        if self.rng.random() < 0.25:
            what = self.rng.choice(list(HOSTILE_BODIES))
            answer = self._push("ingest hostile", HOSTILE_BODIES[what], BAD_REQUEST)
            self._refused(what, answer, [])
            return
        what = self.rng.choice(list(HOSTILE_ITEMS))
        items = self.feed.take(self.rng.randint(1, min(10, self.feed.batch)))
        spoilt = self.rng.randrange(len(items))
        items[spoilt] = HOSTILE_ITEMS[what](items[spoilt])
        external_ids = [i["external_id"] for i in items if isinstance(i.get("external_id"), str)]
        answer = self._push("ingest hostile", json.dumps(items).encode(), BAD_REQUEST)
        self._refused(what, answer, external_ids)

    def _refused(self, what: str, answer: Answer | None, external_ids: list[str]) -> None:
        """A 400 in the API's one error shape (docs/api.md): ``{"errors": [...]}``."""
        if answer is None:
            return
        if not answer.json().get("errors"):
            self.tally.fault(
                "ingest hostile", f"{what}: a 400 without errors: {answer.body[:300]!r}"
            )
        self.ledger.refuse(what, external_ids)

    def ingest_again(self) -> None:
        """A batch already accepted, sent again as a client that lost the answer does: 200,
        nothing created."""
        body = self.ledger.batch_to_send_again(self.rng)
        if body is None:
            self.ingest()
            return
        answer = self._push("ingest again", body, OK)
        if answer is not None and any(result["created"] for result in answer.json()["results"]):
            self.tally.fault("ingest again", "a batch sent again created comments")

    def _push(self, kind: str, body: bytes, expect: frozenset[int]) -> Answer | None:
        headers = {**self.token_headers, "Content-Type": "application/json"}
        return self.tool.exchange(
            kind, "POST", "/api/v1/comments/", expect=expect, body=body, headers=headers
        )

    # --- reading

    def poll_queue(self) -> None:
        """What a community manager's open queue does: mostly htmx's poll of the rows,
        sometimes the whole page or a filter."""
        if not self._signed_in(self.manager, "cm"):
            return
        roll = self.rng.random()
        if roll < 0.15:
            self.manager.get("queue page", "/")
        elif roll < 0.3:
            self.manager.get("queue rows", "/queue/rows/?level=red", headers={"HX-Request": "true"})
        else:
            self.manager.get("queue rows", "/queue/rows/", headers={"HX-Request": "true"})

    def read_api(self) -> None:
        roll = self.rng.random()
        if roll < 0.12:
            query = self.rng.choice(HOSTILE_QUERIES)
            self._read_with_token("api hostile query", f"/api/v1/comments/?{query}", BAD_REQUEST)
        elif roll < 0.35:
            self._read_with_token("api list", "/api/v1/comments/?page_size=50")
        elif roll < 0.45:
            self._read_with_token("api list", "/api/v1/comments/?level=red")
        elif roll < 0.6:
            pk = self.ledger.comment_to_read(self.rng)
            if pk is not None:
                self._read_with_token("api detail", f"/api/v1/comments/{pk}/")
        elif roll < 0.8:
            self._read_open_comments_two_pages()
        elif self._signed_in(self.supervisor, "sup"):
            path = self.rng.choice(
                ("/api/v1/crises/", "/api/v1/reports/overview/", "/api/v1/reports/top-complaints/")
            )
            self.supervisor.get("api supervisor", path, headers={"Accept": "application/json"})

    def _read_with_token(self, kind: str, path: str, expect=OK) -> Answer | None:
        return self.tool.exchange(kind, "GET", path, expect=expect, headers=self.token_headers)

    def _read_open_comments_two_pages(self) -> None:
        """A community manager's session reading the open comments, then the next page."""
        if not self._signed_in(self.manager, "cm"):
            return
        accept = {"Accept": "application/json"}
        answer = self.manager.get("api list", "/api/v1/comments/?status=open", headers=accept)
        if answer is None or not answer.json().get("next"):
            return
        following = urlsplit(answer.json()["next"])
        self.manager.get("api list", f"{following.path}?{following.query}", headers=accept)

    # --- working cases

    def work_case(self) -> None:
        """One step of the community manager's current case, read off its page as a person
        reads it: take the next one, start, draft, send on, publish once approved, resolve,
        close."""
        if not self._signed_in(self.manager, "cm"):
            return
        if self.case_id is None:
            self._take_next_case()
            return
        self.case_steps += 1
        if self.case_steps > CASE_STEPS:
            self.tally.done("case left unfinished")
            self.case_id = None
            return
        page = self.manager.get("case page", f"/cases/{self.case_id}/")
        if page is None:
            self.case_id = None
            return
        self._next_step(page.text())

    def _take_next_case(self) -> None:
        answer = self.manager.post("case take next", "/cases/take-next/", {})
        if answer is None:
            return
        found = _CASE_PATH.match(urlsplit(answer.location).path)
        if found is None:  # no unassigned case waits
            self.manager.get("queue page", urlsplit(answer.location).path)
            return
        self.case_id, self.case_steps = int(found[1]), 0
        self.tally.done("case taken")
        self.manager.get("case page", f"/cases/{self.case_id}/")

    def _next_step(self, page: str) -> None:
        actions = set(_ACTION.findall(page))
        replies = _REPLY.findall(page)
        case = f"/cases/{self.case_id}"
        if "start" in actions or "resume" in actions:
            step = "start" if "start" in actions else "resume"
            self._case_step(f"case {step}", f"{case}/{step}/", {})
        elif (reply := _reply_in(replies, {"draft", "changes_requested"})) is not None:
            self._case_step("reply submit", f"/replies/{reply}/submit/", {"tone_reviewed": "1"})
        elif (reply := _reply_in(replies, {"approved"})) is not None:
            self._case_step("reply publish", f"/replies/{reply}/publish/", {"by_hand": "1"})
        elif _reply_in(replies, {"pending_approval"}) is not None:
            self.tally.done("waiting for approval")  # a supervisor's turn; the page was read
        elif "resolve" in actions and _reply_in(replies, _SENT) is None:
            body = REPLY.format(name=f"cliente {self.case_id}", case=self.case_id)
            self._case_step(
                "reply draft", f"{case}/replies/", {"body": body, "visibility": "public"}
            )
        elif "resolve" in actions:
            outcome = _first_outcome(page)
            self._case_step("case resolve", f"{case}/resolve/", {"outcome": outcome, "note": ""})
        elif "close" in actions:
            self._case_step("case close", f"{case}/close/", {"satisfied": "yes", "note": ""})
        else:  # closed, or no longer this person's to work
            self.tally.done("case finished")
            self.case_id = None

    def _case_step(self, step: str, path: str, fields: dict) -> None:
        page = self.manager.post(step, path, fields, follow="case page")
        self._judge_step(step, page)

    def _judge_step(self, step: str, page: Answer | None) -> None:
        if page is None:
            return
        warning = _WARNING.search(page.text())
        if warning:
            self.tally.refused(step, html.unescape(warning[1]).strip())
        else:
            self.tally.done(step)

    # --- approving

    def approve_reply(self) -> None:
        """A supervisor opens the approvals and approves one waiting reply as written (the
        form sends its text back unchanged)."""
        if not self._signed_in(self.supervisor, "sup"):
            return
        page = self.supervisor.get("approvals page", "/approvals/")
        if page is None:
            return
        waiting = _APPROVAL.findall(page.text())
        if not waiting:
            return
        reply, body = self.rng.choice(waiting)
        fields = {
            "next": "/approvals/",
            "body": html.unescape(body),
            "note": "",
            "decision": "approve",
        }
        result = self.supervisor.post(
            "reply approve", f"/replies/{reply}/review/", fields, follow="approvals page"
        )
        self._judge_step("reply approve", result)

    def _signed_in(self, browser: Browser, prefix: str) -> bool:
        """Sign in first when the session is not there yet (or was lost)."""
        return browser.signed_in or browser.log_in(f"{prefix}-{self.number}", self.password)


def _reply_in(replies: list[tuple[str, str]], statuses: set[str]) -> str | None:
    return next((pk for status, pk in replies if status in statuses), None)


def _first_outcome(page: str) -> str:
    """The first way out the case's protocol offers (the resolve form's choices)."""
    found = _OUTCOMES.search(page)
    options = _OPTION.findall(found[1]) if found else []
    return options[0] if options else "solved"


# --- the checks ------------------------------------------------------------------------------


def check_stored(database_url: str, ledger: Ledger) -> tuple[int, int, int]:
    """Accepted ids missing from the database, keys stored more than once, and ids of refused
    batches stored anyway."""
    with psycopg.connect(database_url) as conn:
        stored = {
            external_id
            for (external_id,) in conn.execute(
                "SELECT c.external_id FROM comments_comment c "
                "JOIN brands_brand b ON b.id = c.brand_id WHERE b.slug = %s",
                (BRAND,),
            )
        }
        (duplicated,) = conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM comments_comment "
            "GROUP BY brand_id, platform, external_id HAVING count(*) > 1) AS twice"
        ).fetchone()
    return len(ledger.accepted - stored), duplicated, len(ledger.refused & stored)


def report(tally: Tally, ledger: Ledger, memory: Memory, lost: int, dup: int, leaked: int):
    print("\nrequests by kind (count, errors, p50 ms, p99 ms):")
    for kind, timings in sorted(tally.by_kind.items()):
        timings = sorted(timings)
        print(
            f"  {kind:<20} {len(timings):>7} {tally.errors[kind]:>5} "
            f"{percentile(timings, 50):>8.0f} {percentile(timings, 99):>8.0f}"
        )
    print(f"case steps done: {_counts(tally.steps)}")
    print(f"refused by the desk (a person's race, not an error): {_counts(tally.refusals)}")
    hostile = ledger.hostile
    print(f"hostile requests answered 400: {sum(hostile.values())} ({len(hostile)} kinds)")
    print(
        f"comments accepted {len(ledger.accepted)}, lost {lost}, keys stored twice {dup}; "
        f"items of refused batches stored: {leaked}"
    )
    replaced = " (a worker was replaced)" if memory.start_pids != memory.end_pids else ""
    print(
        f"gunicorn workers' RSS {memory.start_kib / 1024:.1f} MiB after the warm-up, "
        f"{memory.end_kib / 1024:.1f} MiB at the end{replaced}"
    )
    errors = sum(tally.errors.values())
    failed = [
        reason
        for reason, missed in (
            (f"errors: {errors} (target 0)", errors > 0),
            (f"lost: {lost} accepted comments not stored (target 0)", lost > 0),
            (f"duplicated: {dup} keys stored more than once (target 0)", dup > 0),
            (f"refused batches: {leaked} of their items stored (target 0)", leaked > 0),
            (
                f"rss growth {memory.growth_pct:.1f} % (target under {RSS_GROWTH_LIMIT_PCT:g} %)",
                memory.growth_pct >= RSS_GROWTH_LIMIT_PCT,
            ),
        )
        if missed
    ]
    for reason in failed:
        print(f"FAILED {reason}")
    timings = sorted(tally.timings)
    print(
        f"requests={len(timings)} errors={errors} p99_ms={percentile(timings, 99):.0f} "
        f"rss_growth_pct={memory.growth_pct:.1f} lost={lost} duplicated={dup}",
        flush=True,
    )
    if failed:
        sys.exit(1)


def _counts(counter: Counter) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(counter.items())) or "none"


if __name__ == "__main__":
    main()
