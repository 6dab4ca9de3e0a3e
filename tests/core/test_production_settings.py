"""Production is the default: DEBUG off, HTTPS enforced, a content security policy, and no start
with a key anyone could guess. Each case starts the settings in a process of its own, since the
suite itself runs on the development ones."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What a deployment sets; nothing of the suite's own environment (DEBUG=1 among it) leaks in.
INHERITED = ("PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV")


def _production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {name: os.environ[name] for name in INHERITED if name in os.environ}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="desk.example.com",
        SEMAFORO_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'desk.sqlite3'}",
    )
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def _manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_production_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deployment_checks_are_clean_under_production_settings(tmp_path):
    checked = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")

    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_debug_is_off_unless_the_environment_turns_it_on(tmp_path):
    read = "from django.conf import settings; print(settings.DEBUG)"

    assert _manage(tmp_path, "shell", "-c", read).stdout.split()[-1] == "False"
    assert _manage(tmp_path, "shell", "-c", read, DEBUG="1").stdout.split()[-1] == "True"


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (None, "SECRET_KEY is required"),
        ("change-me", "too weak"),
        ("x" * 60, "too weak"),
        ("django-insecure-" + secrets.token_urlsafe(50), "too weak"),
    ],
)
def test_production_refuses_to_start_without_a_strong_secret_key(tmp_path, key, reason):
    started = _manage(tmp_path, "check", SECRET_KEY=key)

    assert started.returncode != 0
    assert reason in started.stderr


def test_a_production_response_carries_https_only_headers_and_a_strict_policy(tmp_path):
    """Through the full middleware stack of the production settings: plain HTTP is sent to
    HTTPS (except the loopback health check), and responses forbid inline and foreign scripts.
    (A page's templates need the collected static files, which a build makes; the health check
    has none.)"""
    probe = (
        "from django.test import Client; from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        "c = Client(HTTP_HOST='desk.example.com');"
        "plain = c.get('/accounts/login/');"
        "print('plain', plain.status_code, plain.get('Location'));"
        "page = c.get('/healthz/', secure=True);"
        "print('page', page.status_code);"
        "print('hsts', page.get('Strict-Transport-Security'));"
        "print('csp', page.get('Content-Security-Policy'));"
        "print('health', c.get('/healthz/').status_code)"
    )
    lines = dict(
        line.split(" ", 1)
        for line in _manage(tmp_path, "shell", "-c", probe).stdout.splitlines()
        if line.split(" ", 1)[0] in {"plain", "page", "hsts", "csp", "health"}
    )

    assert lines["plain"] == "301 https://desk.example.com/accounts/login/"
    assert lines["page"] == "200"
    assert lines["hsts"].startswith("max-age=31536000")
    policy = dict(part.strip().split(" ", 1) for part in lines["csp"].split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert lines["health"] == "200"
