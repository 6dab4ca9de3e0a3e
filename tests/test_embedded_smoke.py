"""The newcomer's path: no server at all, SQLite and the filesystem broker, a real worker."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from demo.demo import COMPLAINT_HISTORY, RIPPLE_WAVE
from tests.processes import live_processes

ROOT = Path(__file__).resolve().parents[1]
SERVER_VARIABLES = ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "SEMAFORO_VAR_DIR")


def _embedded_env(var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in SERVER_VARIABLES}
    return {**env, "SEMAFORO_VAR_DIR": str(var_dir), "DEBUG": "1"}


def test_demo_seeds_sqlite_and_a_worker_delivers_escalations_over_the_filesystem_broker(tmp_path):
    env = _embedded_env(tmp_path)
    seeded = subprocess.run(
        [sys.executable, "manage.py", "demo", "--no-serve", "--comments", "60"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert seeded.returncode == 0, seeded.stderr
    for username in ("alice", "sam", "carla", "admin"):
        assert username in seeded.stdout
    assert "curl -s -X POST" in seeded.stdout

    database = tmp_path / "semaforo.sqlite3"
    with sqlite3.connect(database) as db:
        comments = db.execute("select count(*) from comments_comment").fetchone()[0]
        escalations = db.execute("select count(*) from crisis_escalation").fetchone()[0]
        ripples = db.execute(
            "select count(distinct ripple_id), count(ripple_id) from comments_comment"
        ).fetchone()
    history = sum(
        len(days) for subjects in COMPLAINT_HISTORY.values() for days, _ in subjects.values()
    )
    assert comments == 60 + len(RIPPLE_WAVE) + history
    assert ripples == (1, len(RIPPLE_WAVE)), "the opening wave is one ripple on SQLite too"
    # Each of the wave's customers finds the others on their case page, on SQLite too.
    others = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from comments import selectors; from comments.models import Comment; "
            "c = Comment.objects.get(external_id='demo-wave-0'); "
            "print(selectors.others_affected(c.case).authors)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # The other eleven of the wave, and any demo comment about the same charges.
    assert int(others.stdout.split()[-1]) >= len(RIPPLE_WAVE) - 1, others.stderr
    # The top complaints read on SQLite too: the wave's subject and the demo's named one.
    top = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from datetime import timedelta; from zoneinfo import ZoneInfo; "
            "from django.utils import timezone; from brands.models import Brand; "
            "from reports import complaints; from reports.figures import Scope; "
            "from reports.periods import Period, today_in; "
            "b = Brand.objects.get(slug='aurora'); z = ZoneInfo(b.time_zone); "
            "d = today_in(z, now=timezone.now()); "
            "s = Scope(brand_ids=frozenset({b.pk}), period=Period(d - timedelta(days=6), d, z)); "
            "t = complaints.top_complaints(s, now=timezone.now())['subjects']; "
            "print(' '.join(k for x in t for k in x['keys']), '|', "
            "' '.join(x['name'] or '-' for x in t).replace(' ', '_'))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    keys, names = top.stdout.strip().splitlines()[-1].split(" | ")
    assert {"~unauthorized_charge", "~card_problem"} <= set(keys.split()), top.stderr
    assert "Tarjetas_bloqueadas_o_rechazadas" in names
    assert escalations > 0
    assert any((tmp_path / "broker" / "queue").iterdir()), "nothing was queued on disk"

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "triage",
            "worker",
            "-Q",
            "default,crisis",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        notified = _wait_for_notified(database, escalations, timeout=60)
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=20)[0].decode(errors="replace")
    assert notified == escalations, output[-3000:]


def _wait_for_notified(database: Path, expected: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    notified = 0
    while time.monotonic() < deadline:
        with sqlite3.connect(database) as db:
            notified = db.execute(
                "select count(*) from crisis_escalation where notified_at is not null"
            ).fetchone()[0]
        if notified >= expected:
            break
        time.sleep(0.5)
    return notified


@pytest.mark.parametrize("command", [["check"], ["makemigrations", "--check", "--dry-run"]])
def test_project_checks_pass_in_embedded_mode(tmp_path, command):
    done = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=_embedded_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    "stop",
    [signal.SIGTERM, signal.SIGKILL],
    ids=["stopped", "killed hard"],  # SIGKILL leaves the demo no chance to stop anything
)
def test_the_demo_takes_its_server_and_worker_with_it(tmp_path, stop):
    env = _embedded_env(tmp_path)
    seeded = subprocess.run(
        [sys.executable, "manage.py", "demo", "--no-serve", "--comments", "5"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert seeded.returncode == 0, seeded.stderr
    port = _free_port()
    demo = subprocess.Popen(
        [sys.executable, "manage.py", "demo", "--port", str(port), "--trickle", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, timeout=60)
        children = _children(demo.pid)
        assert len(children) == 2  # the web server and the worker with beat
        # Each leads a group of its own, which is what the demo stops: beat is the worker's
        # child, and must not outlive it.
        assert all(_group(pid) == pid for pid in children)
    finally:
        demo.send_signal(stop)
        demo.wait(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _in_groups(children):
        time.sleep(0.2)
    assert not _in_groups(children), "the demo left processes running"


def test_a_demo_finds_its_port_taken_and_says_so(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = subprocess.run(
            [sys.executable, "manage.py", "demo", "--port", str(port)],
            cwd=ROOT,
            env=_embedded_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert started.returncode != 0
    assert f"port {port} is already in use" in started.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"nothing listened on port {port}")


def _children(pid: int) -> list[int]:
    return [child for child, (_, parent, _) in live_processes().items() if parent == pid]


def _group(pid: int) -> int | None:
    process = live_processes().get(pid)
    return process[2] if process else None


def _in_groups(groups: list[int]) -> list[int]:
    """The live processes of these process groups."""
    return [pid for pid, (_, _, group) in live_processes().items() if group in groups]
