"""Ingest throughput over HTTP against the physical limit of PostgreSQL COPY, in one run, for
two workloads (``bench/traffic.py``): ``day``, a brand's day of real comments with real
variety (reds under a tenth, a few genuine ripples), and ``storm``, the corpus's texts repeated
across thousands of authors at one instant (three quarters of them ripple reds).

Creates its own database, serves the app with gunicorn, then measures for each workload
(a) COPY of its rows shaped like ``comments_comment`` into a scratch table with the same columns
and indexes, and (b) the same comments POSTed in batches of 500 through the real API and
intake, each run on a new database, which must then hold every comment sent. Each side runs
three times (``--runs``) and its median counts. Last lines, one per workload:
``workload=day ingest_comments_per_s=N copy_rows_per_s=M ratio=R``, then the storm's.
"""

import argparse
import http.client
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from statistics import median

import psycopg
import traffic
from serving import (
    bench_env,
    empty_broker,
    free_port,
    migrate_with_bench_brand,
    recreate_database,
    run,
    start_gunicorn,
    wait_for_port,
)

DB_NAME = os.environ.get("BENCH_DB", "semaforo_bench")


WORKLOADS = ("day", "storm")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=20_000, help="comments (default 20000)")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=2, help="concurrent HTTP clients")
    parser.add_argument("--runs", type=int, default=3, help="runs of each side (median counts)")
    parser.add_argument(
        "--workload",
        choices=(*WORKLOADS, "both"),
        default="both",
        help="a day of real variety, today's storm, or both in turn (default)",
    )
    args = parser.parse_args()
    now = datetime.now(UTC)
    workloads = [
        traffic.day(args.n, start=now) if name == "day" else traffic.storm(args.n, stamp=now)
        for name in (WORKLOADS if args.workload == "both" else (args.workload,))
    ]
    lines = [measure_workload(workload, args) for workload in workloads]
    for line in lines:
        print(line)


def measure_workload(workload: traffic.Workload, args) -> str:
    """COPY of the workload's rows and its ingest over HTTP, each the median of its runs.

    A COPY of 20,000 rows takes a third of a second, and one run swung from 38,000 to 70,000
    rows/s on the same machine; ingest swings by a fifth. Each ingest run is on a new database,
    so that none finds the comments of the one before.
    """
    items = workload.items
    print(f"{workload.name}: {describe_workload(workload)}", flush=True)
    database_url, token = prepare_database()
    copy_rates = sorted(measure_copy(database_url, items) for _ in range(args.runs))
    copy_rate = median(copy_rates)
    print(
        f"  copy: {len(items)} rows at {copy_rate:,.0f} rows/s (median of "
        f"{', '.join(f'{rate:,.0f}' for rate in copy_rates)})",
        flush=True,
    )
    ingest_rates = []
    for run_number in range(args.runs):
        if run_number:
            database_url, token = prepare_database()
        ingest_rates.append(measure_served(database_url, token, items, args))
    ingest_rate = median(ingest_rates)
    print(
        f"  ingest: {len(items)} comments in batches of {args.batch} at {ingest_rate:,.0f}/s "
        f"(median of {', '.join(f'{rate:,.0f}' for rate in sorted(ingest_rates))}; "
        f"{args.web_workers} gunicorn workers, {args.clients} clients)",
        flush=True,
    )
    return (
        f"workload={workload.name} ingest_comments_per_s={ingest_rate:.0f} "
        f"copy_rows_per_s={copy_rate:.0f} ratio={ingest_rate / copy_rate:.3f}"
    )


def describe_workload(workload: traffic.Workload) -> str:
    items = workload.items
    texts = len({item["text"] for item in items})
    authors = len({item["author_handle"] for item in items})
    times = [item["posted_at"] for item in items]
    span = datetime.fromisoformat(max(times)) - datetime.fromisoformat(min(times))
    planted = ", ".join(f"{intent} by {count}" for intent, count in workload.planted.items())
    return (
        f"{len(items):,} comments, {texts:,} distinct texts (none more than "
        f"{workload.max_repeats} times), {authors:,} authors, posted over "
        f"{span.total_seconds() / 3600:.1f} h"
    ) + (f"; ripples planted: {planted}" if planted else "")


def prepare_database() -> tuple[str, str]:
    """A new database, migrated, with the brand the bench posts as and its client's token."""
    database_url = recreate_database(DB_NAME)
    env = bench_env(database_url)
    migrate_with_bench_brand(env)
    token = run([sys.executable, "manage.py", "create_api_token", "bench"], env).splitlines()[-1]
    return database_url, token


def measure_served(database_url: str, token: str, items: list[dict], args) -> float:
    port = free_port()
    server = start_gunicorn(bench_env(database_url), port, args.web_workers)
    try:
        wait_for_port(port)
        warm_up(port, token)
        rate = measure_http(port, token, items, args.batch, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=20)
        empty_broker()
    print(f"  ingest run: {rate:,.0f}/s; {describe_stored(database_url, items)}", flush=True)
    return rate


def describe_stored(database_url: str, items: list[dict]) -> str:
    """What the run left, so the figure can be read: how many reds and ripples (a day has few,
    a storm is mostly ripple reds). Every comment sent must be there, once."""
    with psycopg.connect(database_url) as conn:
        comments, distinct, reds, members = conn.execute(
            "SELECT count(*), count(DISTINCT external_id), count(*) FILTER (WHERE level = 'red'), "
            "count(ripple_id) FROM comments_comment WHERE external_id LIKE 'bench-%'"
        ).fetchone()
        sizes = [
            authors
            for (authors,) in conn.execute(
                "SELECT count(DISTINCT author_id) FROM comments_comment "
                "WHERE ripple_id IS NOT NULL GROUP BY ripple_id ORDER BY 1"
            )
        ]
    if (comments, distinct) != (len(items), len(items)):
        sys.exit(f"lost comments: sent {len(items):,}, stored {comments:,} ({distinct:,} distinct)")
    authors = f" of {sizes[0]}-{sizes[-1]} authors" if sizes else ""
    return (
        f"{comments:,} comments stored (all sent), {reds:,} red ({reds / comments:.1%}), "
        f"{members:,} in {len(sizes):,} ripples{authors}"
    )


COPY_COLUMNS = (
    "platform",
    "external_id",
    "author_id",
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
    "category",
    "level",
    "level_rank",
    "confidence",
    "reasons",
    "model_version",
    "classified_by_human",
    "uncertain",
    "brand_id",
    "pii",
)


def measure_copy(database_url: str, items: list[dict]) -> float:
    now = datetime.now(UTC)
    reasons = json.dumps([{"signal": "model", "evidence": "cobraron"}])
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS copy_scratch")
        conn.execute("CREATE TABLE copy_scratch (LIKE comments_comment INCLUDING ALL)")
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            cursor.copy(f"COPY copy_scratch ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy,
        ):
            for n, item in enumerate(items):
                copy.write_row(
                    (
                        item["platform"],
                        item["external_id"],
                        n % 5000 + 1,
                        item["text"],
                        item["lang"],
                        "",
                        "",
                        "",
                        "",
                        now,
                        now,
                        item["author_followers"],
                        item["likes"],
                        item["shares"],
                        json.dumps(item),
                        "pqr",
                        "green",
                        2,
                        0.9,
                        reasons,
                        "bench",
                        False,
                        False,
                        1,
                        "[]",
                    )
                )
        elapsed = time.perf_counter() - started
        conn.execute("DROP TABLE copy_scratch")
    return len(items) / elapsed


def post(connection, token: str, body: bytes) -> int:
    connection.request(
        "POST",
        "/api/v1/comments/",
        body=body,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    response = connection.getresponse()
    response.read()
    return response.status


def warm_up(port: int, token: str) -> None:
    """Load the model and open the connections (database, broker) in every worker before
    timing: each warm-up comment is a red, so it is escalated through the broker."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for n in range(8):
        body = json.dumps(
            [
                {
                    "platform": "twitter",
                    "external_id": f"warm-{n}",
                    "text": "Voy a denunciar ante la PROFECO, me cobraron dos veces",
                    "author_handle": f"@warm_{n}",
                }
            ]
        ).encode()
        post(connection, token, body)
    connection.close()


def measure_http(port: int, token: str, items: list[dict], batch: int, clients: int) -> float:
    bodies = [json.dumps(items[i : i + batch]).encode() for i in range(0, len(items), batch)]

    def send(chunk: list[bytes]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for body in chunk:
            status = post(connection, token, body)
            if status != 201:
                raise SystemExit(f"unexpected HTTP {status}")
        connection.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, [bodies[i::clients] for i in range(clients)]))
    return len(items) / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
