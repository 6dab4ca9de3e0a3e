"""The dashboard on a year of a brand's history: the pages a desk reads all day, and the export.

The other benches time intake, or a queue a week old. A desk in its second year has a table of
a million comments behind every page, and a page that reads it row by row instead of through
its indexes and rollups is fine in a test and unusable there. This one creates its own
database and fills it in bulk (PostgreSQL COPY, not the API: a million comments through intake
would take the run's whole budget) with ``-n`` comments of the brand ``bench`` posted over the
last 398 days, and a twentieth as many for a second brand the reader may not see, so every
read must narrow by brand:

- texts from the classifier's shipped corpus, with its labels, drawn so that most are green
  (mostly ``other``), a tenth yellow and 3 % red; ``-n / 5`` authors, some far more talkative
  than others, a few of them known trolls; one model classification per comment, a person's
  correction on 1 %;
- each negative comment's ripple signature in ``ripple_terms``, as intake stores it (the top
  complaints count by it), and its case: the open one of its author when there is one, a new
  one otherwise; the last three days' cases, and a few older ones, still open, every other one
  answered, resolved and closed by a community manager, with its audit events, and half of
  those with a follow-up (answered, or a round that ran out of checks);
- then the project's own ``rebuild_rollups`` (hourly rollups, subject mentions and their
  rollups) and a VACUUM ANALYZE, so the reports read what production's rollup pass would have
  written and the planner has the statistics autovacuum would have.

Serves the app with gunicorn (one worker, production settings), signs a supervisor of the brand
in over HTTP and, after ``WARM_UP`` requests each, times ``--requests`` sequential requests of
the open queue page, the queue through the API (``status=open``, the supervisor's personal
token), the overview and the top complaints, each with its default period (the last seven
days), and, for information, the same reports over 30 days and the API's unfiltered list.
Then streams the CSV export of the brand's comments over a 400-day period (every row) while
sampling the worker's resident memory (VmRSS).

Targets: every p95 under 150 ms; the export at 20,000 rows/s or more, its worker's memory
growing by less than 100 MB. Last line:
``queue_p95_ms=A queue_api_p95_ms=B overview_p95_ms=C top_p95_ms=D export_rows_per_s=E
export_rss_mb=F rows=N``; the exit status is non-zero when a target is missed.

    .venv/bin/python bench/dashboard.py [-n 1000000] [--requests 60]
"""

import argparse
import csv
import http.client
import io
import json
import os
import random
import secrets
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from http.cookies import SimpleCookie
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import psycopg
from serving import (
    PG,
    bench_env,
    free_port,
    migrate_with_bench_brand,
    recreate_database,
    run,
    start_gunicorn,
    wait_for_port,
)
from soak import percentile, workers_rss_kib

# ``serving`` put the repository on the path.
from classifier.corpus import load_corpus
from classifier.signature import ripple_signature

DB_NAME = os.environ.get("BENCH_DB", "semaforo_bench_dashboard")
BRAND, OTHER_BRAND = "bench", "bench-other"
#: The second brand's share of the comments: enough that a read which forgets the brand shows.
OTHER_SHARE = 0.05
AUTHORS_PER_COMMENT = 0.2
SPAN = timedelta(days=398)  # inside the reports' 400-day cap, whatever the time zone
#: (category, level) -> share of the comments: most green, a tenth yellow, 3 % red.
MIX = {
    ("other", "green"): 0.62,
    ("pqr", "green"): 0.22,
    ("insult", "green"): 0.03,
    ("pqr", "yellow"): 0.06,
    ("insult", "yellow"): 0.04,
    ("high_level", "red"): 0.018,
    ("pqr", "red"): 0.006,
    ("insult", "red"): 0.006,
}
NEGATIVE = frozenset({"pqr", "insult", "high_level"})
RANK = {"red": 0, "yellow": 1, "green": 2}
PLATFORMS = {"twitter": 0.55, "facebook": 0.2, "instagram": 0.15, "youtube": 0.05, "tiktok": 0.05}
TROLL_SHARE = 0.01
CORRECTED_SHARE = 0.01
UNCERTAIN_SHARE = 0.04
#: Cases opened this recently are still open; so are a few older ones (waiting on someone).
OPEN_FOR = timedelta(days=3)
OPEN_STRAGGLERS = 0.003
OPEN_STATUSES = {
    "new": 0.4,
    "assigned": 0.2,
    "in_progress": 0.25,
    "waiting_customer": 0.1,
    "waiting_department": 0.05,
}
FOLLOWED_UP = 0.5
#: The longest a round of follow-ups takes: a check a day, two of them.
FOLLOW_UP_SPAN = timedelta(hours=48)
#: The desk's default clocks (settings ``SEMAFORO_DUE_*_MIN``, ``SEMAFORO_RESOLVE_*_MIN``).
DUE_MIN = {"red": 15, "yellow": 60, "green": 480}
RESOLVE_MIN = {"red": 240, "yellow": 1440, "green": 4320}
#: Raw payloads are kept this long (``SEMAFORO_RAW_RETENTION_DAYS``), emptied after.
RAW_KEPT = timedelta(days=30)
COMMUNITY_MANAGERS = 6
MODEL_VERSION = "bench-dashboard"

WARM_UP = 3
TARGET_P95_MS = 150.0
TARGET_EXPORT_ROWS_PER_S = 20_000
TARGET_EXPORT_RSS_MB = 100.0
EXPORT_DAYS = 400
RSS_SAMPLE_S = 0.05
REQUEST_TIMEOUT_S = 300


def main():
    args = parse_args()
    password = secrets.token_urlsafe(24)
    if args.reuse:
        database_url, token = reuse_desk(password)
        env = bench_env(database_url)
        results = serve_and_measure(env, database_url, token, password, args)
        report(results, expected_rows=args.n)
        return
    database_url = recreate_database(DB_NAME)
    env = bench_env(database_url)
    token = prepare_desk(env, password)
    started = time.perf_counter()
    counts = load(database_url, args.n, seed=args.seed)
    loaded = time.perf_counter() - started
    print(f"loaded {describe(counts)} in {loaded:.0f} s", flush=True)
    started = time.perf_counter()
    print(run([sys.executable, "manage.py", "rebuild_rollups"], env), flush=True)
    vacuum_analyze(database_url)
    rebuilt = time.perf_counter() - started
    print(f"rollups rebuilt and tables analysed in {rebuilt:.0f} s", flush=True)
    print(f"load time: {loaded + rebuilt:.0f} s (COPY {loaded:.0f} s, rollups {rebuilt:.0f} s)")
    results = serve_and_measure(env, database_url, token, password, args)
    report(results, expected_rows=args.n)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=1_000_000, help="comments (default 1000000)")
    parser.add_argument(
        "--requests", type=int, default=60, help="timed requests per page (default 60)"
    )
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the database an earlier run loaded (after migrating it): to try a change "
        "to a query or an index without five minutes of loading",
    )
    return parser.parse_args()


# --- the desk --------------------------------------------------------------------------------

SETUP = """
import os
from django.contrib.auth import get_user_model
from accounts.models import ApiToken
from brands.grants import grant_role
from brands.models import Brand
from brands.roles import Role
User = get_user_model()
brand = Brand.objects.get(slug=os.environ['DASH_BRAND'])
other = Brand.objects.create(slug=os.environ['DASH_OTHER'], name='Bench other')
supervisor = User.objects.create_user(
    'dash-sup', email='dash-sup@bench.example.com', password=os.environ['DASH_PASSWORD']
)
grant_role(supervisor, Role.SUPERVISOR, brand=brand)
for n in range(int(os.environ['DASH_CMS'])):
    person = User.objects.create_user(f'dash-cm-{n}', email=f'dash-cm-{n}@bench.example.com')
    grant_role(person, Role.COMMUNITY_MANAGER, brand=brand)
stranger = User.objects.create_user('dash-other-cm', email='dash-other-cm@bench.example.com')
grant_role(stranger, Role.COMMUNITY_MANAGER, brand=other)
_, raw = ApiToken.issue(user=supervisor, name='dashboard', brand=brand)
print(raw)
"""


def prepare_desk(env: dict, password: str) -> str:
    """Migrate, add the second brand, a supervisor of ``bench`` with ``password``, the
    community managers the cases are assigned to (one at the other brand), and answer the
    supervisor's personal API token. The pages are served with the production settings,
    whose templates need the collected static files (``staticfiles/``, ignored by git)."""
    run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    migrate_with_bench_brand(env)
    setup_env = {
        **env,
        "DASH_BRAND": BRAND,
        "DASH_OTHER": OTHER_BRAND,
        "DASH_PASSWORD": password,
        "DASH_CMS": str(COMMUNITY_MANAGERS),
    }
    return run([sys.executable, "manage.py", "shell", "-c", SETUP], setup_env).splitlines()[-1]


REUSE = """
import os
from django.contrib.auth import get_user_model
from accounts.models import ApiToken
from brands.models import Brand
supervisor = get_user_model().objects.get(username='dash-sup')
supervisor.set_password(os.environ['DASH_PASSWORD'])
supervisor.save()
_, raw = ApiToken.issue(user=supervisor, name='dashboard', brand=Brand.objects.get(slug='bench'))
print(raw)
"""


def reuse_desk(password: str) -> tuple[str, str]:
    """The loaded database migrated to the code as it is, its statistics fresh, and the
    supervisor given ``password`` and a new token."""
    database_url = f"{PG}/{DB_NAME}"
    env = bench_env(database_url)
    run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    vacuum_analyze(database_url)
    token = run(
        [sys.executable, "manage.py", "shell", "-c", REUSE], {**env, "DASH_PASSWORD": password}
    ).splitlines()[-1]
    return database_url, token


# --- what the desk went through: a plan of the rows, then COPY ---------------------------------


@dataclass(slots=True)
class PlannedCase:
    id: int
    brand_id: int
    author_id: int
    first_comment: int
    opened_at: datetime
    category: str
    level: str
    open: bool
    assignee: int | None = None
    closed_at: datetime | None = None


@dataclass(slots=True)
class PlannedComment:
    id: int
    brand_id: int
    author_id: int
    platform: str
    row: int  # index into the corpus
    category: str
    level: str
    posted_at: datetime
    received_at: datetime
    case_id: int | None
    corrected: bool
    uncertain: bool


@dataclass(slots=True)
class PlannedAuthor:
    id: int
    brand_id: int
    platform: str
    handle: str
    followers: int
    troll: bool


class Ids:
    """The next id of each table: rows are written with their ids, so that a comment can name
    its case and author without a round trip."""

    TABLES = (
        "comments_author",
        "comments_case",
        "comments_comment",
        "comments_classification",
        "comments_followup",
        "comments_auditevent",
    )

    def __init__(self, conn):
        self.next = {
            table: conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]  # noqa: S608
            for table in self.TABLES
        }

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] += 1
        return value


@dataclass
class Plan:
    authors: list[PlannedAuthor]
    comments: list[PlannedComment]
    cases: list[PlannedCase]


def plan_brand(brand_id: int, slug: str, n: int, ids: Ids, pools, rng, now) -> Plan:
    """``n`` comments of one brand, oldest first, with their authors and cases."""
    authors = [
        PlannedAuthor(
            id=ids.take("comments_author"),
            brand_id=brand_id,
            platform=_weighted(rng, PLATFORMS),
            handle=f"@{slug}_{k}",
            followers=int(rng.lognormvariate(5, 2)),
            troll=rng.random() < TROLL_SHARE,
        )
        for k in range(max(1, int(n * AUTHORS_PER_COMMENT)))
    ]
    instants = sorted(rng.random() for _ in range(n))
    kinds, weights = zip(*MIX.items(), strict=True)
    comments, cases = [], []
    open_case_of: dict[int, PlannedCase] = {}
    for fraction in instants:
        author = authors[int(len(authors) * rng.random() ** 1.6)]  # some talk far more
        category, level = rng.choices(kinds, weights)[0]
        posted = now - SPAN + SPAN * fraction
        received = min(now, posted + timedelta(seconds=rng.uniform(1, 90)))
        comment = PlannedComment(
            id=ids.take("comments_comment"),
            brand_id=brand_id,
            author_id=author.id,
            platform=author.platform,
            row=rng.choice(pools[(category, level)]),
            category=category,
            level=level,
            posted_at=posted,
            received_at=received,
            case_id=None,
            corrected=rng.random() < CORRECTED_SHARE,
            uncertain=rng.random() < UNCERTAIN_SHARE,
        )
        if category in NEGATIVE:
            comment.case_id = _case_for(comment, open_case_of, cases, ids, rng, now).id
        comments.append(comment)
    return Plan(authors, comments, cases)


def _case_for(comment, open_case_of, cases, ids, rng, now) -> PlannedCase:
    """The author's open case, taking the comment's level when it is more urgent (the desk's
    rule, ``cases.raising``), or a new one: open when recent (or a straggler), else one that
    will be worked to its end."""
    case = open_case_of.get(comment.author_id)
    if case is not None:
        if RANK[comment.level] < RANK[case.level]:
            case.level, case.category = comment.level, comment.category
        return case
    still_open = now - comment.received_at < OPEN_FOR or rng.random() < OPEN_STRAGGLERS
    case = PlannedCase(
        id=ids.take("comments_case"),
        brand_id=comment.brand_id,
        author_id=comment.author_id,
        first_comment=comment.id,
        opened_at=comment.received_at,
        category=comment.category,
        level=comment.level,
        open=still_open,
    )
    cases.append(case)
    if still_open:
        open_case_of[comment.author_id] = case
    return case


def _weighted(rng, weights: dict):
    return rng.choices(list(weights), list(weights.values()))[0]


def load(database_url: str, n: int, *, seed: int) -> dict[str, int]:
    """Plan both brands, COPY every table, and move the id sequences past what was written."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    corpus = load_corpus()
    pools: dict[tuple[str, str], list[int]] = {kind: [] for kind in MIX}
    for index, row in enumerate(corpus):
        if (row["category"], row["level"]) in pools:
            pools[(row["category"], row["level"])].append(index)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        brands = dict(conn.execute("SELECT slug, id FROM brands_brand").fetchall())
        people = dict(conn.execute("SELECT username, id FROM auth_user").fetchall())
        ids = Ids(conn)
        plans = [
            plan_brand(brands[BRAND], BRAND, n, ids, pools, rng, now),
            plan_brand(
                brands[OTHER_BRAND], OTHER_BRAND, int(n * OTHER_SHARE), ids, pools, rng, now
            ),
        ]
        assignees = {
            brands[BRAND]: [people[f"dash-cm-{k}"] for k in range(COMMUNITY_MANAGERS)],
            brands[OTHER_BRAND]: [people["dash-other-cm"]],
        }
        names = {pk: name for name, pk in people.items()}
        writer = Writer(conn, corpus, rng, now, ids, supervisor=people["dash-sup"])
        authors = [a for plan in plans for a in plan.authors]
        comments = [c for plan in plans for c in plan.comments]
        cases = [c for plan in plans for c in plan.cases]
        writer.authors(authors, since=now - SPAN)
        follow_ups = writer.cases(cases, assignees)
        writer.comments(comments)
        writer.classifications(comments)
        writer.follow_ups(follow_ups)
        events = writer.audit_events(cases, names)
        for table in Ids.TABLES:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
    return {
        "comments": len(comments),
        "authors": len(authors),
        "cases": len(cases),
        "open cases": sum(case.open for case in cases),
        "follow-ups": len(follow_ups),
        "audit events": events,
    }


def describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {name}" for name, count in counts.items())


class Writer:
    """COPY of each table from the plan; the texts' signatures and reasons are computed once
    per corpus row (a million comments repeat 1,873 texts)."""

    def __init__(self, conn, corpus, rng, now, ids: Ids, *, supervisor: int):
        self.conn, self.corpus, self.rng, self.now, self.ids = conn, corpus, rng, now, ids
        self.supervisor = supervisor
        self.terms: dict[int, str | None] = {}

    def _copy(self, table: str, columns: tuple[str, ...]):
        return self.conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN")

    def _terms(self, row: int) -> str:
        """The comment's ripple signature as intake stores it for a negative comment."""
        terms = self.terms.get(row)
        if terms is None:
            terms = self.terms[row] = json.dumps(list(ripple_signature(self.corpus[row]["text"])))
        return terms

    def authors(self, authors: list[PlannedAuthor], *, since: datetime) -> None:
        columns = (
            "id",
            "brand_id",
            "platform",
            "handle",
            "display_name",
            "followers",
            "is_troll",
            "created_at",
            "updated_at",
        )
        with self._copy("comments_author", columns) as copy:
            for a in authors:
                copy.write_row(
                    (a.id, a.brand_id, a.platform, a.handle, "", a.followers, a.troll, since, since)
                )

    CASE_COLUMNS = (
        "id",
        "brand_id",
        "author_id",
        "thread_key",
        "status",
        "assignee_id",
        "category",
        "level",
        "level_rank",
        "opened_at",
        "response_due_at",
        "responded_at",
        "resolution_due_at",
        "paused_at",
        "paused_seconds",
        "response_warned_at",
        "response_breached_at",
        "resolution_warned_at",
        "resolution_breached_at",
        "alarm_at",
        "outcome",
        "intermediate_solution",
        "resolved_at",
        "satisfied",
        "closed_at",
        "alert_attempts",
        "alert_error",
        "private_channel",
        "updated_at",
    )

    def cases(self, cases: list[PlannedCase], assignees: dict[int, list[int]]) -> list[tuple]:
        """Write the cases; answer the follow-up rows of those that had one."""
        follow_ups: list[tuple] = []
        with self._copy("comments_case", self.CASE_COLUMNS) as copy:
            for case in cases:
                people = assignees[case.brand_id]
                if case.open:
                    copy.write_row(self._open_case(case, people))
                else:
                    row, checks = self._closed_case(case, people)
                    copy.write_row(row)
                    follow_ups.extend(checks)
        return follow_ups

    def _clocks(self, case: PlannedCase) -> tuple[datetime, datetime]:
        return (
            case.opened_at + timedelta(minutes=DUE_MIN[case.level]),
            case.opened_at + timedelta(minutes=RESOLVE_MIN[case.level]),
        )

    def _open_case(self, case: PlannedCase, people: list[int]) -> tuple:
        rng, now = self.rng, self.now
        status = _weighted(rng, OPEN_STATUSES)
        case.assignee = None if status == "new" else rng.choice(people)
        response_due, resolution_due = self._clocks(case)
        responded = None
        if status in ("in_progress", "waiting_customer", "waiting_department"):
            responded = min(
                now, case.opened_at + (response_due - case.opened_at) * rng.uniform(0.2, 1.5)
            )
        paused = (
            now - timedelta(minutes=rng.uniform(5, 600)) if status.startswith("waiting") else None
        )
        response_breached = response_due if responded is None and response_due < now else None
        resolution_breached = resolution_due if resolution_due < now else None
        return (
            case.id,
            case.brand_id,
            case.author_id,
            "",
            status,
            case.assignee,
            case.category,
            case.level,
            RANK[case.level],
            case.opened_at,
            response_due,
            responded,
            resolution_due,
            max(paused, case.opened_at) if paused else None,
            0,
            None,
            response_breached,
            None,
            resolution_breached,
            None,
            "",
            "",
            None,
            None,
            None,
            0,
            "",
            "",
            now,
        )

    def _closed_case(self, case: PlannedCase, people: list[int]) -> tuple[tuple, list[tuple]]:
        """A case worked to its end: answered (mostly in time), resolved, perhaps followed up,
        closed."""
        rng = self.rng
        case.assignee = rng.choice(people)
        response_due, resolution_due = self._clocks(case)
        responded = case.opened_at + (response_due - case.opened_at) * rng.lognormvariate(-0.6, 0.6)
        paused = int(rng.uniform(600, 86_400)) if rng.random() < 0.15 else 0
        resolution_due += timedelta(seconds=paused)
        resolved = max(
            responded + timedelta(minutes=1),
            case.opened_at
            + (resolution_due - case.opened_at) * rng.lognormvariate(-0.8, 0.6)
            + timedelta(seconds=paused),
        )
        # A slow green case of four days ago is resolved by now, not next week.
        resolved = min(resolved, self.now - timedelta(hours=1))
        responded = min(responded, resolved)
        outcome = rng.choices(("solved", "intermediate", "troll"), (0.7, 0.2, 0.1))[0]
        satisfied, closed, checks = None, resolved + timedelta(days=1), []
        if rng.random() < FOLLOWED_UP and resolved + FOLLOW_UP_SPAN < self.now:
            satisfied, closed, checks = self._checks(case, resolved)
        case.closed_at = min(closed, self.now)
        row = (
            case.id,
            case.brand_id,
            case.author_id,
            "",
            "closed",
            case.assignee,
            case.category,
            case.level,
            RANK[case.level],
            case.opened_at,
            response_due,
            responded,
            resolution_due,
            None,
            paused,
            None,
            response_due if responded > response_due else None,
            None,
            resolution_due if resolved > resolution_due else None,
            None,
            outcome,
            "Reembolso parcial" if outcome == "intermediate" else "",
            resolved,
            satisfied,
            case.closed_at,
            0,
            "",
            "platform_dm" if rng.random() < 0.3 else "",
            case.closed_at,
        )
        return row, checks

    def _checks(self, case: PlannedCase, resolved: datetime) -> tuple[bool | None, datetime, list]:
        """The follow-ups of a resolved case: answered (mostly satisfied) at the first check,
        or two checks nobody answered, the second closing the case as 'no answer'."""
        rng = self.rng
        first_due = resolved + timedelta(hours=24)
        if rng.random() < 0.8:
            answered = first_due + timedelta(hours=rng.uniform(0.5, 12))
            satisfied = rng.random() < 0.78
            check = self._check(case, 1, first_due, answered=answered, satisfied=satisfied)
            return satisfied, answered, [check]
        second_due = first_due + timedelta(hours=24)
        checks = [
            self._check(case, 1, first_due),
            self._check(case, 2, second_due, closes=True),
        ]
        return None, second_due, checks

    def _check(self, case, number, due, *, answered=None, satisfied=None, closes=False) -> tuple:
        return (
            self.ids.take("comments_followup"),
            case.id,
            case.brand_id,
            number,
            number,
            closes,
            due,
            due,
            due,
            0,
            "",
            answered,
            satisfied,
            "" if answered is None else ("Todo bien, gracias" if satisfied else "Sigue igual"),
            None,
            None,
            due - timedelta(hours=24),
        )

    def follow_ups(self, rows: list[tuple]) -> None:
        columns = (
            "id",
            "case_id",
            "brand_id",
            "number",
            "attempt",
            "closes_case",
            "due_at",
            "enqueued_at",
            "prompted_at",
            "attempts",
            "last_error",
            "answered_at",
            "satisfied",
            "answer",
            "answered_by_id",
            "cancelled_at",
            "created_at",
        )
        with self._copy("comments_followup", columns) as copy:
            for row in rows:
                copy.write_row(row)

    COMMENT_COLUMNS = (
        "id",
        "brand_id",
        "platform",
        "external_id",
        "author_id",
        "case_id",
        "text",
        "lang",
        "url",
        "in_reply_to",
        "thread_key",
        "account",
        "posted_at",
        "received_at",
        "author_followers",
        "likes",
        "shares",
        "raw",
        "pii",
        "category",
        "level",
        "level_rank",
        "confidence",
        "reasons",
        "model_version",
        "classified_by_human",
        "uncertain",
        "ripple_terms",
    )

    def comments(self, comments: list[PlannedComment]) -> None:
        raw_since = self.now - RAW_KEPT
        with self._copy("comments_comment", self.COMMENT_COLUMNS) as copy:
            for c in comments:
                row = self.corpus[c.row]
                external_id = f"dash-{c.id}"
                raw = "{}"
                if c.received_at >= raw_since:
                    raw = json.dumps(
                        {"platform": c.platform, "external_id": external_id, "text": row["text"]}
                    )
                confidence = _confidence(c)
                copy.write_row(
                    (
                        c.id,
                        c.brand_id,
                        c.platform,
                        external_id,
                        c.author_id,
                        c.case_id,
                        row["text"],
                        row.get("lang") or "",
                        "",
                        "",
                        "",
                        "",
                        c.posted_at,
                        c.received_at,
                        row.get("author_followers") or 0,
                        row.get("likes") or 0,
                        row.get("shares") or 0,
                        raw,
                        "[]",
                        c.category,
                        c.level,
                        RANK[c.level],
                        confidence,
                        _reasons(c.category, confidence),
                        MODEL_VERSION,
                        c.corrected,
                        c.uncertain and not c.corrected,
                        self._terms(c.row) if c.category in NEGATIVE else None,
                    )
                )

    def classifications(self, comments: list[PlannedComment]) -> None:
        """The model's decision on every comment, then a person's on those corrected."""
        columns = (
            "id",
            "comment_id",
            "category",
            "level",
            "confidence",
            "reasons",
            "model_version",
            "uncertain",
            "is_human",
            "decided_by_id",
            "note",
            "created_at",
        )
        with self._copy("comments_classification", columns) as copy:
            for c in comments:
                confidence = _confidence(c)
                copy.write_row(
                    (
                        self.ids.take("comments_classification"),
                        c.id,
                        c.category,
                        c.level,
                        confidence,
                        _reasons(c.category, confidence),
                        MODEL_VERSION,
                        c.uncertain,
                        False,
                        None,
                        "",
                        c.received_at,
                    )
                )
            for c in comments:
                if c.corrected:
                    copy.write_row(
                        (
                            self.ids.take("comments_classification"),
                            c.id,
                            c.category,
                            c.level,
                            1.0,
                            "[]",
                            "",
                            False,
                            True,
                            self.supervisor,
                            "",
                            c.received_at + timedelta(hours=2),
                        )
                    )

    def audit_events(self, cases: list[PlannedCase], names: dict[int, str]) -> int:
        """Each case's opening, and the closing of those closed: what the case history and
        the audit log read."""
        columns = (
            "id",
            "brand_id",
            "actor_id",
            "actor_name",
            "action",
            "comment_id",
            "author_id",
            "case_id",
            "before",
            "after",
            "created_at",
        )
        written = 0
        with self._copy("comments_auditevent", columns) as copy:
            for case in cases:
                opened = json.dumps({"status": "new", "level": case.level})
                copy.write_row(
                    (
                        self.ids.take("comments_auditevent"),
                        case.brand_id,
                        None,
                        "",
                        "case_opened",
                        case.first_comment,
                        case.author_id,
                        case.id,
                        "{}",
                        opened,
                        case.opened_at,
                    )
                )
                written += 1
                if case.closed_at is not None:
                    copy.write_row(
                        (
                            self.ids.take("comments_auditevent"),
                            case.brand_id,
                            case.assignee,
                            names.get(case.assignee, ""),
                            "case_close",
                            None,
                            case.author_id,
                            case.id,
                            '{"status": "resolved"}',
                            '{"status": "closed"}',
                            case.closed_at,
                        )
                    )
                    written += 1
        return written


def _confidence(comment: PlannedComment) -> float:
    """A steady confidence per comment (the model's and the comment's copy must agree)."""
    base = 0.45 if comment.uncertain else 0.7
    return round(base + (comment.id * 7919 % 1000) / 1000 * 0.29, 4)


_REASONS: dict[tuple[str, float], str] = {}


def _reasons(category: str, confidence: float) -> str:
    key = (category, confidence)
    reasons = _REASONS.get(key)
    if reasons is None:
        evidence = f"{category} p={confidence:.2f}"
        reasons = _REASONS[key] = json.dumps([{"signal": "model", "evidence": evidence}])
    return reasons


def vacuum_analyze(database_url: str) -> None:
    """What autovacuum would have done to a table a year old: statistics for the planner, and
    the visibility map the index-only scans of the mentions and rollups rely on."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


# --- the pages -------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: bytes
    cookies: list[str]
    location: str


class Browser:
    """A person's browser on one connection: its session's cookies, the CSRF token on posts."""

    def __init__(self, port: int, headers: dict | None = None):
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
        self.cookies: dict[str, str] = {}
        self.headers = headers or {}

    def request(self, method: str, path: str, body: bytes | None = None, headers=None) -> Answer:
        self.http.request(method, path, body=body, headers={**self._headers(), **(headers or {})})
        response = self.http.getresponse()
        answer = Answer(
            response.status,
            response.read(),
            response.msg.get_all("Set-Cookie") or [],
            response.getheader("Location", ""),
        )
        self._keep_cookies(answer.cookies)
        return answer

    def stream(self, path: str) -> http.client.HTTPResponse:
        """The response to a GET, unread: the caller reads it as it arrives."""
        self.http.request("GET", path, headers=self._headers())
        return self.http.getresponse()

    def log_in(self, username: str, password: str) -> None:
        self.request("GET", "/accounts/login/")
        fields = {
            "username": username,
            "password": password,
            "next": "/",
            "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
        }
        answer = self.request(
            "POST",
            "/accounts/login/",
            urlencode(fields).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if answer.status != 302 or "sessionid" not in self.cookies:
            sys.exit(f"could not sign {username} in: {answer.status} {answer.body[:300]!r}")

    def _headers(self) -> dict:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return {**self.headers, **({"Cookie": cookie} if cookie else {})}

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.coded_value


@dataclass(frozen=True)
class Timed:
    name: str
    path: str
    timings: list[float]

    @property
    def p50(self) -> float:
        return percentile(self.timings, 50)

    @property
    def p95(self) -> float:
        return percentile(self.timings, 95)


def time_requests(client: Browser, name: str, path: str, requests: int) -> Timed:
    """``WARM_UP`` requests, then ``requests`` timed one after another; any answer but 200
    ends the run."""
    timings = []
    for n in range(WARM_UP + requests):
        started = time.perf_counter()
        answer = client.request("GET", path)
        ms = (time.perf_counter() - started) * 1000
        if answer.status != 200:
            sys.exit(f"{name}: GET {path} answered {answer.status}: {answer.body[:400]!r}")
        if n >= WARM_UP:
            timings.append(ms)
    timed = Timed(name, path, sorted(timings))
    print(f"  {name:<22} p50 {timed.p50:7.1f} ms  p95 {timed.p95:7.1f} ms  {path}", flush=True)
    return timed


@dataclass(frozen=True)
class Export:
    rows: int
    seconds: float
    rss_before_kib: int
    rss_peak_kib: int
    recorded_rows: int | None

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def rss_growth_mb(self) -> float:
        return (self.rss_peak_kib - self.rss_before_kib) / 1024


def measure_export(client: Browser, path: str, master: int, database_url: str) -> Export:
    """Stream the CSV, parsing it as it arrives (a text may hold line breaks), while a thread
    samples the worker's resident memory; the export's own record must count the same rows."""
    before, _pids = workers_rss_kib(master)
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.wait(RSS_SAMPLE_S):
            peak[0] = max(peak[0], workers_rss_kib(master)[0])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        response = client.stream(path)
        if response.status != 200:
            sys.exit(f"export: GET {path} answered {response.status}: {response.read(400)!r}")
        reader = csv.reader(io.TextIOWrapper(response, encoding="utf-8", newline=""))
        rows = sum(1 for _ in reader) - 1  # the header is no row
        seconds = time.perf_counter() - started
    finally:
        done.set()
        sampler.join()
    peak[0] = max(peak[0], workers_rss_kib(master)[0])
    with psycopg.connect(database_url) as conn:
        found = conn.execute(
            "SELECT rows FROM reports_exportrecord ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return Export(rows, seconds, before, peak[0], found[0] if found else None)


def serve_and_measure(env, database_url, token, password, args) -> dict:
    """gunicorn with one worker (every request and the export's memory are that worker's),
    the pages timed, the export streamed; gunicorn stopped however the run ends."""
    port = free_port()
    server = start_gunicorn(env, port, 1)
    try:
        wait_for_port(port)
        return measure(port, server.pid, database_url, token, password, args)
    except KeyboardInterrupt:
        sys.exit("interrupted: gunicorn was stopped")
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure(port, master, database_url, token, password, args) -> dict:
    supervisor = Browser(port)
    supervisor.log_in("dash-sup", password)
    tool = Browser(port, {"Authorization": f"Token {token}", "Accept": "application/json"})
    today = datetime.now(_brand_zone(database_url)).date()
    month = _period(today, 30)
    n = args.requests
    print(f"timing {n} requests of each after {WARM_UP} to warm up (1 gunicorn worker):")
    timed = {
        "queue": time_requests(supervisor, "queue page", "/", n),
        "queue_api": time_requests(tool, "queue api", "/api/v1/comments/?status=open", n),
        "overview": time_requests(supervisor, "overview 7 days", "/reports/", n),
        "top": time_requests(supervisor, "top complaints 7 days", "/reports/top-complaints/", n),
        "overview_30d": time_requests(supervisor, "overview 30 days", f"/reports/?{month}", n),
        "top_30d": time_requests(
            supervisor, "top complaints 30 days", f"/reports/top-complaints/?{month}", n
        ),
        "api_list": time_requests(tool, "api list", "/api/v1/comments/", n),
    }
    path = f"/reports/export/comments.csv?{_period(today, EXPORT_DAYS)}"
    print(f"streaming {path} ...", flush=True)
    export = measure_export(supervisor, path, master, database_url)
    print(
        f"  export: {export.rows:,} rows in {export.seconds:.1f} s, "
        f"{export.rows_per_s:,.0f} rows/s; worker RSS {export.rss_before_kib / 1024:.0f} MiB "
        f"before, peak {export.rss_peak_kib / 1024:.0f} MiB; its record counts "
        f"{export.recorded_rows} rows",
        flush=True,
    )
    return {"timed": timed, "export": export}


def _period(today: date, days: int) -> str:
    return urlencode(
        {"since": (today - timedelta(days=days - 1)).isoformat(), "until": today.isoformat()}
    )


def _brand_zone(database_url: str) -> ZoneInfo:
    with psycopg.connect(database_url) as conn:
        (zone,) = conn.execute(
            "SELECT time_zone FROM brands_brand WHERE slug = %s", (BRAND,)
        ).fetchone()
    return ZoneInfo(zone)


# --- the figures -----------------------------------------------------------------------------


def report(results: dict, *, expected_rows: int) -> None:
    timed, export = results["timed"], results["export"]
    print(
        f"info: overview_30d_p95_ms={timed['overview_30d'].p95:.0f} "
        f"top_30d_p95_ms={timed['top_30d'].p95:.0f} "
        f"api_list_p95_ms={timed['api_list'].p95:.0f} "
        f"export_s={export.seconds:.1f} export_rss_before_mb={export.rss_before_kib / 1024:.0f}"
    )
    missed = [
        f"{timed[name].name}: p95 {timed[name].p95:.0f} ms (target under {TARGET_P95_MS:g} ms)"
        for name in ("queue", "queue_api", "overview", "top")
        if not timed[name].p95 < TARGET_P95_MS
    ]
    if export.rows_per_s < TARGET_EXPORT_ROWS_PER_S:
        missed.append(
            f"export: {export.rows_per_s:,.0f} rows/s (target {TARGET_EXPORT_ROWS_PER_S:,} or more)"
        )
    if not export.rss_growth_mb < TARGET_EXPORT_RSS_MB:
        missed.append(
            f"export: worker memory grew {export.rss_growth_mb:.0f} MB "
            f"(target under {TARGET_EXPORT_RSS_MB:g} MB)"
        )
    if export.rows != expected_rows or export.recorded_rows != expected_rows:
        missed.append(
            f"export: {export.rows:,} rows read, {export.recorded_rows} recorded, "
            f"{expected_rows:,} expected"
        )
    for reason in missed:
        print(f"MISSED {reason}")
    print(
        f"queue_p95_ms={timed['queue'].p95:.0f} queue_api_p95_ms={timed['queue_api'].p95:.0f} "
        f"overview_p95_ms={timed['overview'].p95:.0f} top_p95_ms={timed['top'].p95:.0f} "
        f"export_rows_per_s={export.rows_per_s:.0f} export_rss_mb={export.rss_growth_mb:.0f} "
        f"rows={export.rows}",
        flush=True,
    )
    if missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
