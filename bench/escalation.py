"""From the API's answer to the committee's notification: how fast a red reaches the committee.

Creates its own PostgreSQL database, serves the app with gunicorn, runs a crisis worker (queue
``crisis``) and a default worker on Redis, and posts 2,000 comments (200 of them reds from the
corpus) through the API in batches of 50 from two clients. For every comment the API answered
red, the time from that HTTP answer to the escalation's ``notified_at`` is one measure; a red
never notified within the time limit is lost. Mail goes to Django's dummy backend, so what is
measured is the desk, not an SMTP server.
Last line: ``red_to_notified_p50_ms=A red_to_notified_p99_ms=B lost=L``.
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "comments" / "classifier" / "data" / "corpus.jsonl"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "semaforo_bench_escalation")
BROKER = os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/3")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=2000, help="comments (default 2000)")
    parser.add_argument("--reds", type=int, default=200)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=60, help="seconds before a red is lost")
    args = parser.parse_args()

    database_url = f"{PG}/{DB_NAME}"
    recreate_database()
    env = bench_env(database_url)
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([sys.executable, "manage.py", "shell", "-c", SETUP], env)
    token = run([sys.executable, "manage.py", "create_api_token", "bench"], env).splitlines()[-1]
    flush_broker()

    port = free_port()
    processes = [
        start(["gunicorn", "triage.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", "2", "--log-level", "warning"], env),
        start(["celery", "-A", "triage", "worker", "-Q", "crisis", "--concurrency", "2",
               "-n", "crisis@%h", "--loglevel", "WARNING", "--without-gossip",
               "--without-mingle"], env),
        start(["celery", "-A", "triage", "worker", "-Q", "default", "--concurrency", "1",
               "-n", "default@%h", "--loglevel", "WARNING", "--without-gossip",
               "--without-mingle"], env),
    ]
    try:
        wait_for_port(port)
        time.sleep(3)  # let the workers connect before the clock starts
        answered = post_all(port, token, make_items(args.n, args.reds), args.batch)
        latencies, lost = wait_for_notifications(database_url, answered, args.timeout)
        if lost:
            print(f"broker at the end: {broker_state()}", flush=True)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    reds = len(answered)
    print(f"{reds} comments answered red ({args.reds} red texts among {args.n}; ripples may "
          f"add more), {len(latencies)} notified, {lost} lost", flush=True)
    p50 = statistics.median(latencies) if latencies else float("nan")
    p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) > 1 else float("nan")
    print(f"red_to_notified_p50_ms={p50:.0f} red_to_notified_p99_ms={p99:.0f} lost={lost}")


SETUP = (
    "from django.contrib.auth import get_user_model; from brands.models import Brand; "
    "from accounts.roles import Role, grant_role; "
    "b, _ = Brand.objects.get_or_create(slug='bench', defaults={'name': 'Bench'}); "
    "u = get_user_model().objects.create_user('committee', 'committee@example.com'); "
    "grant_role(u, Role.CRISIS_COMMITTEE, brand=b)"
)


def recreate_database():
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def flush_broker():
    import redis

    redis.Redis.from_url(BROKER).flushdb()


def broker_state() -> dict:
    import redis

    client = redis.Redis.from_url(BROKER)
    return {"crisis": client.llen("crisis"), "default": client.llen("default"),
            "unacked": client.hlen("unacked"), "unacked_index": client.zcard("unacked_index")}


def bench_env(database_url: str) -> dict:
    return {
        **os.environ, "DATABASE_URL": database_url, "DEBUG": "0", "SECRET_KEY": "bench-only",
        "CELERY_BROKER_URL": BROKER, "SEMAFORO_API_THROTTLE": "1000000/min",
        "LOG_LEVEL": "WARNING", "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }


def run(command, env) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


def start(command, env):
    return subprocess.Popen([sys.executable, "-m", *command], cwd=ROOT, env=env)


def make_items(n: int, reds: int) -> list[dict]:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
    red_rows = [r for r in rows if r["level"] == "red" and r["category"] == "high_level"]
    calm_rows = [r for r in rows if r["level"] == "green"]
    rng = random.Random(5)
    chosen = [rng.choice(red_rows) for _ in range(reds)] + [
        rng.choice(calm_rows) for _ in range(n - reds)]
    rng.shuffle(chosen)
    stamp = datetime.now(UTC).isoformat()
    return [{
        "platform": row["platform"], "external_id": f"esc-{i}", "text": row["text"],
        "author_handle": f"@esc_user_{i}", "author_followers": row["author_followers"],
        "likes": row["likes"], "shares": row["shares"], "lang": row["lang"], "posted_at": stamp,
    } for i, row in enumerate(chosen)]


def post_all(port: int, token: str, items: list[dict], batch: int) -> dict[int, float]:
    """``{comment id: time of the HTTP answer}`` for every comment answered red."""
    bodies = [json.dumps(items[i:i + batch]).encode() for i in range(0, len(items), batch)]

    def send(chunk: list[bytes]) -> dict[int, float]:
        reds = {}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for body in chunk:
            connection.request("POST", "/api/v1/comments/", body=body, headers={
                "Authorization": f"Token {token}", "Content-Type": "application/json"})
            response = connection.getresponse()
            payload = response.read()
            answered_at = time.time()
            if response.status != 201:
                raise SystemExit(f"unexpected HTTP {response.status}: {payload[:300]!r}")
            for result in json.loads(payload)["results"]:
                if result["level"] == "red":
                    reds[result["id"]] = answered_at
        connection.close()
        return reds

    answered: dict[int, float] = {}
    with ThreadPoolExecutor(2) as pool:
        for part in pool.map(send, [bodies[0::2], bodies[1::2]]):
            answered |= part
    return answered


def wait_for_notifications(database_url: str, answered: dict[int, float],
                           timeout: float) -> tuple[list[float], int]:
    deadline = time.time() + timeout
    notified: dict[int, float] = {}
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.time() < deadline and len(notified) < len(answered):
            for comment_id, at in conn.execute(
                "SELECT comment_id, notified_at FROM crisis_escalation "
                "WHERE notified_at IS NOT NULL AND comment_id = ANY(%s)", [list(answered)]
            ):
                notified[comment_id] = at.timestamp()
            time.sleep(0.2)
    latencies = [(notified[pk] - answered[pk]) * 1000 for pk in notified]
    return latencies, len(answered) - len(notified)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start")


if __name__ == "__main__":
    main()
