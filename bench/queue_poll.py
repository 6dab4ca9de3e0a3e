"""The live queue's poll under load: how long `/queue/rows/` takes with a large table.

Creates its own PostgreSQL database, loads N comments for one brand through the real intake
(spread over the last week) plus a quarter as many for a second brand, logs in a community
manager of the first brand, and times the htmx partial the queue polls every few seconds: the
default view (open cases) and the red filter.
Last line: ``queue_rows_p50_ms=A queue_rows_p95_ms=B red_rows_p50_ms=C comments=N``.
"""

import argparse
import os
import random
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from classifier.corpus import load_corpus  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "semaforo_bench_queue"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=100_000, help="comments (default 100000)")
    parser.add_argument("--polls", type=int, default=60)
    args = parser.parse_args()

    recreate_database()
    os.environ.update(
        {
            "DATABASE_URL": f"{PG}/{DB_NAME}",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            # Production settings, served on the loopback over plain HTTP.
            "SECURE_SSL_REDIRECT": "0",
            "CELERY_BROKER_URL": "memory://",
            "LOG_LEVEL": "WARNING",
            "ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": "triage.settings",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    load_comments(args.n)
    print(f"loaded {args.n} comments in {time.perf_counter() - started:.0f} s", flush=True)
    analyse()

    client = logged_in_client()
    default = time_polls(client, "/queue/rows/", args.polls)
    red = time_polls(client, "/queue/rows/?level=red", args.polls)
    print(
        f"queue_rows_p50_ms={percentile(default, 50):.1f} "
        f"queue_rows_p95_ms={percentile(default, 95):.1f} "
        f"red_rows_p50_ms={percentile(red, 50):.1f} comments={args.n}"
    )


def recreate_database():
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def load_comments(n: int) -> None:
    from brands.models import Brand

    ours = Brand.objects.create(name="Ours", slug="ours")
    theirs = Brand.objects.create(name="Theirs", slug="theirs")
    load_brand(ours, n, prefix="q")
    load_brand(theirs, n // 4, prefix="t")


def load_brand(brand, n: int, *, prefix: str) -> None:
    from comments import intake

    rows = load_corpus()
    rng = random.Random(11)
    now = datetime.now(UTC)
    batch = []
    for i in range(n):
        row = rng.choice(rows)
        posted = now - timedelta(minutes=rng.randrange(7 * 24 * 60))
        batch.append(
            {
                "platform": row["platform"],
                "external_id": f"{prefix}-{i}",
                "text": row["text"],
                "author_handle": f"@queue_user_{rng.randrange(n // 3 + 1)}",
                "lang": row["lang"],
                "author_followers": row["author_followers"],
                "likes": row["likes"],
                "shares": row["shares"],
                "posted_at": posted.isoformat(),
            }
        )
        if len(batch) == 1000:
            intake.ingest(batch, brand_id=brand.pk)
            batch = []
    if batch:
        intake.ingest(batch, brand_id=brand.pk)


def analyse() -> None:
    """Fresh planner statistics, as autovacuum would have them after a week of traffic."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def logged_in_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    from brands.grants import grant_role
    from brands.models import Brand
    from brands.roles import Role

    user = get_user_model().objects.create_user("bench-cm", password="bench-only")  # noqa: S106
    grant_role(user, Role.COMMUNITY_MANAGER, brand=Brand.objects.get(slug="ours"))
    client = Client()
    client.force_login(user)
    return client


def time_polls(client, url: str, polls: int) -> list[float]:
    client.get(url)  # warm caches and connections
    timings = []
    for _ in range(polls):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
    return timings


def percentile(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100)[pct - 1]


if __name__ == "__main__":
    main()
