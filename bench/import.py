"""History import throughput and memory: a JSON Lines file imported by the command.

Generates a file of N comments (default 1,000,000; ``-n``) posted over the last 30 days, their
texts the corpus's with variations so that nearly every line is a text of its own (no memo
hides the classifier), by N/4 authors. Then, on a new database of its own (``BENCH_DB``),
imports it with ``manage.py import_comments`` in a subprocess, sampling the process's resident
memory twice a second and the job's checkpoint once a second. ``--runs`` repeats the import,
each on a new database. Last line: ``import_lines_per_s=N peak_rss_mb=M lines=L`` (the median
run's rate, the largest peak).
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median

import psycopg
from serving import ROOT, bench_env, migrate_with_bench_brand, recreate_database

sys.path.insert(0, str(ROOT))
from classifier.corpus import load_corpus  # noqa: E402

DB_NAME = os.environ.get("BENCH_DB", "semaforo_bench_import")
OPENERS = ["", "", "", "Hola, ", "Buenas, ", "Oigan, ", "Por favor ", "Hey ", "Urgente: "]
CLOSERS = ["", "", "", " gracias", " ya van 3 veces", " saludos", " 😡", " #servicio", " ??"]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=1_000_000, help="lines (default 1000000)")
    parser.add_argument("--runs", type=int, default=1, help="imports, each on a new database")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--file", help="import this JSONL file instead of generating one")
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="semaforo-import-"))
    path = Path(args.file) if args.file else folder / "history.jsonl"
    if not args.file:
        started = time.perf_counter()
        size = generate(path, args.n)
        print(
            f"generated {args.n:,} lines ({size / 2**20:,.0f} MiB) in "
            f"{time.perf_counter() - started:.1f}s: {path}",
            flush=True,
        )
    lines = sum(1 for _ in open(path, "rb"))  # noqa: SIM115 (read once, closed on exit)

    rates, peaks = [], []
    try:
        for number in range(1, args.runs + 1):
            rate, peak = measure(path, args.batch_size, lines)
            print(f"  run {number}: {rate:,.0f} lines/s, peak RSS {peak:,.0f} MiB", flush=True)
            rates.append(rate)
            peaks.append(peak)
    finally:
        if not args.file and not args.keep:
            path.unlink(missing_ok=True)
            Path(f"{path}.rejects.jsonl").unlink(missing_ok=True)
            folder.rmdir()
    if len(rates) > 1:
        print(
            f"rates {', '.join(f'{r:,.0f}' for r in sorted(rates))} lines/s "
            f"(spread {(max(rates) - min(rates)) / median(rates):.1%})"
        )
    print(f"import_lines_per_s={median(rates):.0f} peak_rss_mb={max(peaks):.0f} lines={lines}")


def generate(path: Path, n: int) -> int:
    """N lines, written as they are made: the bench itself stays small too."""
    rows = load_corpus()
    rng = random.Random(20)
    now = datetime.now(UTC)
    span = timedelta(days=30).total_seconds()
    authors = max(1, n // 4)
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            row = rng.choice(rows)
            text = f"{rng.choice(OPENERS)}{row['text']}{rng.choice(CLOSERS)}"
            if rng.random() < 0.7:
                text += f" (pedido {rng.randrange(10**6):06d})"
            posted = now - timedelta(seconds=span * (1 - i / n))
            item = {
                "platform": row["platform"],
                "external_id": f"hist-{i}",
                "text": text,
                "author_handle": f"@hist_user_{rng.randrange(authors)}",
                "author_followers": row["author_followers"],
                "likes": row["likes"],
                "shares": row["shares"],
                "lang": row["lang"],
                "posted_at": posted.isoformat(timespec="seconds"),
            }
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
        return out.tell()


def prepare_database() -> str:
    database_url = recreate_database(DB_NAME)
    env = bench_env(database_url, CELERY_BROKER_URL="memory://")
    migrate_with_bench_brand(env)
    return database_url


def rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def measure(path: Path, batch_size: int, lines: int) -> tuple[float, float]:
    """One import on a new database: its rate over the whole run (start-up and the file's
    survey included) and its peak resident memory; prints the memory and the rate along the
    way, so a reader sees that the memory stays flat."""
    database_url = prepare_database()
    env = bench_env(database_url, CELERY_BROKER_URL="memory://")
    command = [
        sys.executable,
        "manage.py",
        "import_comments",
        str(path),
        "--brand",
        "bench",
        "--no-progress",
        "--batch-size",
        str(batch_size),
    ]
    samples: list[tuple[float, float, int]] = []  # (seconds, RSS MiB, lines done)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    stop = threading.Event()

    def sample() -> None:
        with psycopg.connect(database_url, autocommit=True) as conn:
            while not stop.wait(0.5):
                rss = rss_mb(process.pid)
                if rss is None:
                    return
                row = conn.execute(
                    "SELECT coalesce(max(lines_done), 0) FROM comments_importjob"
                ).fetchone()
                samples.append((time.perf_counter() - started, rss, row[0] if row else 0))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    sampler.join()
    output = process.stdout.read() if process.stdout else ""
    if process.returncode:
        sys.exit(f"import_comments failed ({process.returncode}):\n{output}")
    print("  " + output.strip().splitlines()[-1], flush=True)
    peak = usage.ru_maxrss / 1024  # kilobytes on Linux
    for fraction in (0.1, 0.25, 0.5, 0.75, 1.0):
        if samples:
            at, rss, done = samples[min(len(samples) - 1, int(fraction * len(samples)))]
            print(f"    at {at:6.1f}s: {done:>9,} lines, RSS {rss:6.1f} MiB", flush=True)
    with psycopg.connect(database_url) as conn:
        stored, reds, ripples, escalations, cases = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE level = 'red'), count(ripple_id), "
            "(SELECT count(*) FROM crisis_escalation), (SELECT count(*) FROM comments_case) "
            "FROM comments_comment"
        ).fetchone()
    print(
        f"    {stored:,} comments stored, {reds:,} red, {cases:,} cases, {ripples} in ripples, "
        f"{escalations} escalations",
        flush=True,
    )
    return lines / elapsed, peak


if __name__ == "__main__":
    main()
