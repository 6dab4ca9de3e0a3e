"""A real Celery worker against the Redis broker, on the test database."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    """DATABASE_URL with the test database's name, so the worker sees what the test wrote."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture
def broker():
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.flushdb()
    yield client
    client.flushdb()


class Worker:
    def __init__(self, mail_dir: Path, extra_env: dict):
        self.mail_dir = mail_dir
        self.env = {
            **os.environ,
            "DATABASE_URL": _test_database_url(),
            "EMAIL_BACKEND": "tests.mailfiles.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "DB_CONN_MAX_AGE": "0",
            **extra_env,
        }
        self.process = None

    def start(self, *, beat: bool = False, schedule: Path | None = None) -> "Worker":
        """``schedule``: beat's file; each beat of its own, as on two machines."""
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "triage",
            "worker",
            "-Q",
            "default,crisis",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ]
        if beat:
            schedule = schedule or self.mail_dir.parent / "beat-schedule"
            command += ["-B", "--schedule", str(schedule)]
        # A session of its own: the worker and the beat process it forks (-B) stop together.
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        return self

    def stop(self) -> str:
        """Stop the worker and every process it forked, then read what they said. The beat
        child can outlive a worker that stopped first, and it holds the output pipe open:
        reading before it is gone hung the suite's teardown."""
        if self.process is None:
            return ""
        self._signal_group(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=15)
        self._signal_group(signal.SIGKILL)
        self.process.wait()
        output = self.process.stdout.read().decode(errors="replace")
        self.process = None
        return output

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):  # every process of the group has exited
            os.killpg(self.process.pid, signum)

    def mails(self) -> list[str]:
        if not self.mail_dir.exists():
            return []
        return [p.read_text(errors="replace") for p in sorted(self.mail_dir.glob("*.log"))]

    def wait_for_mails(self, count: int, timeout: float = 90) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            mails = self.mails()
            if len(mails) >= count:
                return mails
            if self.process is not None and self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(
            f"expected {count} mail(s), got {len(self.mails())}; worker said:\n"
            + self.stop()[-4000:]
        )


def wait_until_notified(escalation_id: int, timeout: float = 30):
    """The escalation once the worker has recorded it notified: it mails first, then records,
    so a test that has just seen the mail may be a moment early."""
    from crisis.models import Escalation

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        escalation = Escalation.objects.get(pk=escalation_id)
        if escalation.notified_at is not None:
            return escalation
        time.sleep(0.1)
    raise AssertionError(f"escalation {escalation_id} was never recorded as notified")


@pytest.fixture
def celery_worker_factory(tmp_path, broker):
    workers = []

    def start(*, beat: bool = False, schedule: Path | None = None, **extra_env) -> Worker:
        worker = Worker(tmp_path / "mail", {k: str(v) for k, v in extra_env.items()})
        workers.append(worker.start(beat=beat, schedule=schedule))
        return worker

    yield start
    for worker in workers:
        worker.stop()
