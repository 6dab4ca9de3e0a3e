"""A ripple split across concurrent requests: how long it takes to form, and whether it forms once.

Serves the app with gunicorn on its own database, then in each trial posts the demo's opening
wave (twelve people reporting card charges they never made, in their own words) to a brand of
its own, all at once: twelve single-item requests (``--split single``) or two batches of six
(``--split halves``). Times the wait until every request has answered and until the database
holds one ripple with all twelve members red, and counts the trials that formed exactly that.
Last line: ``split=S trials=T one_ripple=K answered_ms_p50=A ripple_ms_p50=B ripple_ms_max=C``.

    .venv/bin/python bench/ripple_split.py [--split single|halves] [--trials 20] [--web-workers 2]
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from statistics import median

import psycopg
from serving import (
    bench_env,
    django_in_process,
    empty_broker,
    free_port,
    start_gunicorn,
    wait_for_port,
)

DB_NAME = os.environ.get("BENCH_DB", "semaforo_bench") + "_split"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=("single", "halves"), default="single")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=30, help="seconds to wait for a ripple")
    args = parser.parse_args()

    django_in_process(DB_NAME)
    from django.db import connection

    from demo.demo import RIPPLE_WAVE

    database_url = os.environ["DATABASE_URL"]
    tokens = make_brands(args.trials)
    connection.close()
    port = free_port()
    server = start_gunicorn(bench_env(database_url), port, args.web_workers)
    try:
        wait_for_port(port)
        warm_up(port, tokens[0][1], args.web_workers)
        outcomes = [
            trial(port, database_url, brand_id, token, RIPPLE_WAVE, args)
            for brand_id, token in tokens[1:]
        ]
    finally:
        server.terminate()
        server.wait(timeout=20)
        empty_broker()
    formed = [outcome for outcome in outcomes if outcome["one_ripple"]]
    answered = [outcome["answered_ms"] for outcome in outcomes]
    ripple_ms = [outcome["ripple_ms"] for outcome in formed] or [float("nan")]
    for outcome in outcomes:
        if not outcome["one_ripple"]:
            print(f"  trial failed: {outcome['found']}", flush=True)
    print(
        f"split={args.split} trials={len(outcomes)} one_ripple={len(formed)} "
        f"answered_ms_p50={median(answered):.0f} ripple_ms_p50={median(ripple_ms):.0f} "
        f"ripple_ms_max={max(ripple_ms):.0f}"
    )


def make_brands(trials: int) -> list[tuple[int, str]]:
    """A brand per trial (and one to warm up on), each with its REST client's token."""
    from django.contrib.auth import get_user_model

    from accounts.models import ApiToken
    from brands.grants import grant_role
    from brands.models import Brand
    from brands.roles import Role

    user = get_user_model().objects.create_user(username="api:split")
    grant_role(user, Role.API_CLIENT)
    tokens = []
    for n in range(trials + 1):
        brand = Brand.objects.create(slug=f"split-{n}", name=f"Split {n}")
        _, raw = ApiToken.issue(user=user, name=f"split-{n}", brand=brand)
        tokens.append((brand.pk, raw))
    return tokens


def post(port: int, token: str, items: list[dict]) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(
            "POST",
            "/api/v1/comments/",
            body=json.dumps(items).encode(),
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def warm_up(port: int, token: str, workers: int) -> None:
    """Load the model in every worker before timing."""
    threads = [
        threading.Thread(
            target=post,
            args=(port, token, [wave_item(f"warm-{n}", "Hola, como activo la tarjeta?", n)]),
        )
        for n in range(workers * 4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def wave_item(external_id: str, text: str, n: int, *, now=None) -> dict:
    now = now or datetime.now(UTC)
    return {
        "platform": "twitter",
        "external_id": external_id,
        "text": text,
        "author_handle": f"@wave_{n}",
        "author_followers": 150,
        "posted_at": (now - timedelta(minutes=50 - 4 * n)).isoformat(),
    }


def trial(port: int, database_url: str, brand_id: int, token: str, texts, args) -> dict:
    now = datetime.now(UTC)
    items = [wave_item(f"wave-{n}", text, n, now=now) for n, text in enumerate(texts)]
    bodies = [[item] for item in items] if args.split == "single" else [items[:6], items[6:]]
    statuses: list[int] = []
    gate = threading.Barrier(len(bodies) + 1)

    def send(body):
        gate.wait()
        statuses.append(post(port, token, body))

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    answered = time.perf_counter() - started
    if statuses != [201] * len(bodies):
        sys.exit(f"unexpected answers {statuses}")
    found, ripple_at = wait_for_one_ripple(database_url, brand_id, len(items), args.timeout)
    return {
        "answered_ms": answered * 1000,
        "ripple_ms": (ripple_at - started) * 1000,
        "one_ripple": found == (1, len(items), len(items)),
        "found": f"{found[0]} ripples, {found[1]} members, {found[2]} of them red",
    }


def wait_for_one_ripple(database_url: str, brand_id: int, members: int, timeout: float):
    """(ripples, members, red members) of the brand once it holds one ripple of all the
    members, all red, or when ``timeout`` has passed; and when."""
    deadline = time.perf_counter() + timeout
    with psycopg.connect(database_url, autocommit=True) as conn:
        while True:
            found = conn.execute(
                "SELECT count(DISTINCT ripple_id), count(ripple_id), "
                "count(*) FILTER (WHERE ripple_id IS NOT NULL AND level = 'red') "
                "FROM comments_comment WHERE brand_id = %s",
                [brand_id],
            ).fetchone()
            now = time.perf_counter()
            if found == (1, members, members) or now > deadline:
                return found, now
            time.sleep(0.005)


if __name__ == "__main__":
    main()
