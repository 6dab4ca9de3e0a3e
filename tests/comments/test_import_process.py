"""The command as a person runs it: in a process of its own, killed halfway and run again, and on
a terminal, where it draws its progress bar."""

import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

from comments.models import Comment, ImportJob
from tests.comments.test_import_command import figures, item, write_jsonl
from tests.crisis.conftest import ROOT, _test_database_url

pytestmark = pytest.mark.django_db(transaction=True)


def command(path, *args) -> list[str]:
    return [
        sys.executable,
        "manage.py",
        "import_comments",
        str(path),
        "--brand",
        "aurora",
        *args,
    ]


def env() -> dict:
    return {**os.environ, "DATABASE_URL": _test_database_url(), "DB_CONN_MAX_AGE": "0"}


def test_a_killed_import_resumes_where_it_stopped_and_counts_each_line_once(aurora, tmp_path):
    rows = [item(n) for n in range(3000)]
    rows[10] = "not json"
    rows[2900] = item(2900, likes=-1)
    source = write_jsonl(tmp_path / "big.jsonl", rows)
    process = subprocess.Popen(
        command(source, "--batch-size", "100", "--no-progress"),
        cwd=ROOT,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    job = None
    while time.monotonic() < deadline and process.poll() is None:
        job = ImportJob.objects.first()
        if job is not None and job.lines_done >= 300:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the import ended before it could be interrupted"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    job.refresh_from_db()
    stopped_at = job.lines_done
    assert 300 <= stopped_at < 3000
    assert job.state == "running", "killed: it could not say anything"
    assert Comment.objects.count() == job.created

    resumed = subprocess.run(
        command(source, "--batch-size", "100", "--no-progress"),
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )

    assert f"after line {job.lines_done:,}" in resumed.stdout
    assert figures(resumed.stdout) == {
        "created": 2998,
        "unchanged": 0,
        "rejected": 2,
        "lines": 3000,
    }
    assert Comment.objects.count() == 2998
    rejects = (tmp_path / "big.jsonl.rejects.jsonl").read_text().splitlines()
    assert [json.loads(line)["line"] for line in rejects] == [11, 2901]


def test_on_a_terminal_it_draws_a_progress_bar_with_the_rate_and_the_time_left(aurora, tmp_path):
    source = write_jsonl(tmp_path / "export.jsonl", [item(n) for n in range(40)])
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        command(source, "--batch-size", "10"),
        cwd=ROOT,
        env=env(),
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    drawn = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    output = process.communicate(timeout=60)[0].decode()
    os.close(leader)

    screen = drawn.decode(errors="replace")
    assert "100%" in screen
    assert "40.0/40.0" in screen  # unit_scale: 1.2M/3.0M on a large file
    assert "lines/s" in screen
    assert "00:00<00:00" in screen  # elapsed < time left
    assert figures(output)["created"] == 40


def test_off_a_terminal_it_draws_nothing(aurora, tmp_path):
    source = write_jsonl(tmp_path / "export.jsonl", [item(n) for n in range(5)])
    done = subprocess.run(
        command(source), cwd=ROOT, env=env(), capture_output=True, text=True, check=True
    )
    assert "lines/s" not in done.stderr
    assert figures(done.stdout)["created"] == 5
