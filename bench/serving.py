"""What the HTTP benchmarks share: their own database and broker, the app under gunicorn.

Imported by the scripts next to it (a script's folder is first on its path).
"""

import contextlib
import functools
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from core.processes import stop_when_parent_dies  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
BROKER = os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/13")


def recreate_database(name: str) -> str:
    """A new, empty database for the run; answers its URL."""
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return f"{PG}/{name}"


def empty_broker() -> None:
    """The benchmarks' own Redis database: what one run published and nobody consumed must not
    reach the next run's workers, nor pile up run after run."""
    redis.Redis.from_url(BROKER).flushdb()


def bench_env(database_url: str, **extra) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        # Production settings, served on the loopback over plain HTTP.
        "SECURE_SSL_REDIRECT": "0",
        "CELERY_BROKER_URL": BROKER,
        "SEMAFORO_API_THROTTLE": "1000000/min",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def django_in_process(name: str) -> None:
    """Django set up in this process on a new database ``name``, migrated, with an in-memory
    broker: for the benchmarks that time one domain function rather than HTTP."""
    os.environ.update(bench_env(recreate_database(name), CELERY_BROKER_URL="memory://"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "triage.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def run(command, env) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


def migrate_with_bench_brand(env) -> None:
    """Migrate the bench's database and give it the brand every bench writes as."""
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from brands.models import Brand; "
            "Brand.objects.get_or_create(slug='bench', defaults={'name': 'Bench'})",
        ],
        env,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env, port: int, workers: int, **popen):
    """``popen``: more of ``subprocess.Popen``'s arguments (``stderr``, to read its log)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "triage.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        **popen,
    )


def start_celery_worker(
    env, concurrency: int, *, queues: str = "default,crisis", beat_dir: str | None = None
):
    """A worker for ``queues``; with ``beat_dir``, beat embedded as the demo runs it, its
    schedule file there. In a session of its own, stopped as a group by
    ``stop_celery_worker``, and told to stop if the bench dies without the chance."""
    beat = ["-B", "--schedule", os.path.join(beat_dir, "celerybeat-schedule")] if beat_dir else []
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "triage",
            "--quiet",  # no banner among the progress lines
            "worker",
            *beat,
            "-Q",
            queues,
            "--concurrency",
            str(concurrency),
            "--loglevel=ERROR",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        preexec_fn=functools.partial(stop_when_parent_dies, os.getpid()),
    )


def stop_celery_worker(worker) -> None:
    """A warm shutdown of the worker (it stops its pool and the beat it forked once the
    running tasks end), then whatever of its group is left."""
    worker.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        worker.wait(timeout=60)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start")
