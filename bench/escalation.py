"""Benchmark: from the API's answer to the committee's notification being recorded.

Creates its own PostgreSQL database, serves the app with gunicorn, runs crisis workers on Redis,
and posts 2,000 comments (200 of them red: authorities named, or a claim from an author with
large reach) in batches through the API. For every red it measures from the moment the HTTP
answer arrived to ``Escalation.notified_at`` (the crisis opened or joined and level 1 of the
committee mailed, or already told). Reds not notified within the timeout count as lost.
Last line: ``red_to_notified_p50_ms=A red_to_notified_p99_ms=B lost=L``.

    .venv/bin/python bench/escalation.py [--comments 2000] [--reds 200] [--batch 20]
"""

import argparse
import http.client
import json
import os
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import psycopg
from serving import (
    PG,
    bench_env,
    empty_broker,
    free_port,
    recreate_database,
    run,
    start_celery_worker,
    start_gunicorn,
    stop_celery_worker,
    wait_for_port,
)

DB_NAME = os.environ.get("BENCH_DB", "semaforo_bench_crisis_room")

#: Praise and thanks: never negative, so hundreds of them from different authors form no ripple
#: (identical questions would, and would turn red as the taxonomy says).
GREENS = [
    "Gracias por la atencion de ayer, todo perfecto",
    "Excelente servicio en la sucursal del centro, muy amables",
    "Muchas gracias, ya me llego la tarjeta nueva",
    "Thanks a lot, the new app looks great",
]
REDS = [
    ("Voy a denunciar ante la PROFECO, me intoxique con la comida que me vendieron", 150),
    ("Me cobraron dos veces la cuota de este mes y nadie me responde, pesimo servicio", 250_000),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--reds", type=int, default=200)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--crisis-workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()

    env = bench_env(
        recreate_database(DB_NAME), EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
    )
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([sys.executable, "manage.py", "shell", "-c", SETUP], env)
    token = run(
        [sys.executable, "manage.py", "create_api_token", "bench", "--brand", "bench"], env
    ).splitlines()[-1]
    warm_token = run(
        [sys.executable, "manage.py", "create_api_token", "warm", "--brand", "warm"], env
    ).splitlines()[-1]
    empty_broker()

    port = free_port()
    server = start_gunicorn(env, port, 2)
    worker = start_celery_worker(env, args.crisis_workers, queues="crisis")
    try:
        wait_for_port(port)
        warm_up(port, warm_token, args.timeout)
        started = time.perf_counter()
        answered = post_all(port, token, make_batches(args), args.clients)
        posting = time.perf_counter() - started
        notified = wait_notified(answered, args.timeout)
    finally:
        stop_celery_worker(worker)
        server.terminate()
        server.wait(timeout=30)

    latencies = sorted(
        (notified[key] - at) * 1000 for key, at in answered.items() if key in notified
    )
    lost = len(answered) - len(latencies)
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    print(
        f"{len(answered)} reds among {args.comments} comments, batches of {args.batch}, "
        f"{args.crisis_workers} crisis worker processes: p50 {p50:.0f} ms, p99 {p99:.0f} ms, "
        f"max {max(latencies or [0]):.0f} ms, lost {lost}; posted in {posting:.1f} s "
        f"({args.comments / posting:,.0f} comments/s)",
        flush=True,
    )
    print(f"red_to_notified_p50_ms={p50:.0f} red_to_notified_p99_ms={p99:.0f} lost={lost}")


SETUP = """
from django.contrib.auth import get_user_model
from brands.grants import grant_role
from brands.roles import Role
from brands.models import Brand
for slug in ('bench', 'warm'):
    brand, _ = Brand.objects.get_or_create(slug=slug, defaults={'name': slug})
    for name in ('carla', 'diego'):
        user = get_user_model().objects.create_user(username=f'{name}-{slug}',
                                                    email=f'{name}@{slug}.example.com')
        grant_role(user, Role.CRISIS_COMMITTEE, brand=brand)
"""


def make_batches(args) -> list[list[dict]]:
    """Comments in batches, the reds spread at random among them; each red its own author."""
    rng = random.Random(6)
    red_at = set(rng.sample(range(args.comments), args.reds))
    stamp = datetime.now(UTC).isoformat()
    items = []
    for i in range(args.comments):
        if i in red_at:
            text, followers = REDS[i % len(REDS)]
        else:
            text, followers = rng.choice(GREENS), 120
        items.append(
            {
                "platform": "twitter",
                "external_id": f"esc-{i}",
                "text": text,
                "author_handle": f"@bench_{i}",
                "author_followers": followers,
                "posted_at": stamp,
                "red": i in red_at,
            }
        )
    return [items[i : i + args.batch] for i in range(0, len(items), args.batch)]


def post_all(port: int, token: str, batches, clients: int) -> dict[str, float]:
    """Post every batch; answer ``{external_id: time the HTTP answer arrived}`` for the reds
    the API classified red."""
    answered: dict[str, float] = {}

    def send(chunk):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for batch in chunk:
            body = json.dumps(
                [{k: v for k, v in item.items() if k != "red"} for item in batch]
            ).encode()
            connection.request(
                "POST",
                "/api/v1/comments/",
                body=body,
                headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            )
            response = connection.getresponse()
            payload = response.read()
            at = time.time()
            if response.status != 201:
                raise SystemExit(f"unexpected HTTP {response.status}: {payload[:300]}")
            for item, result in zip(batch, json.loads(payload)["results"], strict=True):
                if result["level"] == "red":
                    answered[item["external_id"]] = at
        connection.close()

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, [batches[i::clients] for i in range(clients)]))
    return answered


def warm_up(port: int, token: str, timeout: float) -> None:
    """Every process up, the model loaded: reds at another brand until each is notified fast,
    so the timed run measures the desk, not the workers' start."""
    for n in range(6):
        batch = [
            {
                "platform": "twitter",
                "external_id": f"warm-{n}",
                "text": REDS[0][0],
                "author_handle": f"@warm_{n}",
                "red": True,
            }
        ]
        answered = post_all(port, token, [batch], 1)
        wait_notified(answered, timeout)


def wait_notified(answered: dict[str, float], timeout: float) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    with psycopg.connect(f"{PG}/{DB_NAME}", autocommit=True) as conn:
        while True:
            rows = conn.execute(
                "SELECT c.external_id, extract(epoch from e.notified_at) FROM crisis_escalation e "
                "JOIN comments_comment c ON c.id = e.comment_id WHERE e.notified_at IS NOT NULL"
            ).fetchall()
            notified = {external_id: float(at) for external_id, at in rows}
            if all(key in notified for key in answered) or time.monotonic() > deadline:
                return notified
            time.sleep(0.5)


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    rank = max(0, min(len(values) - 1, round(pct / 100 * len(values) + 0.5) - 1))
    return values[rank]


if __name__ == "__main__":
    main()
