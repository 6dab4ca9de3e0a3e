"""PostgreSQL restarted during ingest, as the desk's web process sees it: its connection is
cut under a request in flight, and new connections are refused until the server is back.

A whole-cluster restart would also cut the test's own connection, so the test does to the
server's connections what a restart does: ``pg_terminate_backend`` (the same "terminating
connection due to administrator command" a fast shutdown sends) and, for the while it is down,
a database that allows no connections. Real HTTP to the live server, its own connections.
"""

import http.client
import json
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg
import pytest
from django.db import connection

from comments.models import Comment
from tests.comments.test_ripple_concurrency import _post_at_once
from tests.factories import GREEN_TEXT, RED_TEXT, comment_item

pytestmark = pytest.mark.django_db(transaction=True)


def _batch(size: int = 40) -> list[dict]:
    return [
        comment_item(external_id=f"restart-{n}", text=RED_TEXT if n % 10 == 0 else GREEN_TEXT)
        for n in range(size)
    ]


def _post(live_server, token: str, body) -> tuple[int, dict, dict]:
    address = urlsplit(live_server.url)
    client = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        client.request(
            "POST",
            "/api/v1/comments/",
            body=json.dumps(body),
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        response = client.getresponse()
        return response.status, dict(response.getheaders()), json.loads(response.read() or b"{}")
    finally:
        client.close()


def _others_waiting_on_a_lock(timeout: float = 20) -> list[int]:
    """The backends (the server's) blocked on a lock this test holds."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Inside a transaction, the activity view is a snapshot taken at its first read.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            waiting = [pid for (pid,) in cursor.fetchall()]
            if waiting:
                return waiting
            time.sleep(0.02)
    raise AssertionError("the batch never reached the database")


def _cut(pids: list[int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [pids])


def _server_connections() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return [pid for (pid,) in cursor.fetchall()]


@contextmanager
def _database_down():
    """New connections refused (``ALLOW_CONNECTIONS false``) and open ones cut, until exit. A
    database cannot refuse connections from inside itself: the switch is thrown from the
    server's maintenance database."""
    params = connection.settings_dict
    name = params["NAME"]
    with psycopg.connect(
        host=params["HOST"],
        port=params["PORT"],
        user=params["USER"],
        dbname="postgres",
        autocommit=True,
    ) as maintenance:
        maintenance.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            _cut(_server_connections())
            yield
        finally:
            maintenance.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def _assert_unavailable(status, headers, answer) -> None:
    assert status == 503, answer
    assert int(headers["Retry-After"]) > 0
    assert answer["errors"][0]["message"].startswith("the database is unavailable")


def test_a_batch_cut_off_mid_write_is_a_503_and_stored_once_when_sent_again(
    live_server, listener_token
):
    body = _batch()
    answer: dict = {}

    def post_in_flight() -> None:
        answer["value"] = _post(live_server, listener_token, body)

    # Hold the comments table so the batch stops inside its transaction, mid-write.
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("LOCK TABLE comments_comment IN EXCLUSIVE MODE")
        in_flight = threading.Thread(target=post_in_flight)
        in_flight.start()
        try:
            _cut(_others_waiting_on_a_lock())
        finally:
            cursor.execute("ROLLBACK")
        in_flight.join(60)
    _assert_unavailable(*answer["value"])
    assert Comment.objects.count() == 0  # no partial batch

    with _database_down():
        _assert_unavailable(*_post(live_server, listener_token, body))
    assert Comment.objects.count() == 0

    status, _, stored = _post(live_server, listener_token, body)  # back: the client retries
    assert status == 201, stored
    assert [r["created"] for r in stored["results"]] == [True] * len(body)
    status, _, again = _post(live_server, listener_token, body)
    assert status == 200, again
    assert Comment.objects.count() == len(body)


def test_the_same_batch_posted_by_two_clients_at_once_is_stored_once(live_server, listener_token):
    body = _batch(60)
    answers = _post_at_once(live_server, listener_token, [body, body])
    assert sorted(status for status, _ in answers) in ([200, 201], [201, 201]), answers
    ids = [[r["id"] for r in answer["results"]] for _, answer in answers]
    assert ids[0] == ids[1]  # both clients are told the same comments
    assert Comment.objects.count() == len(body)
    created = [r["created"] for _, answer in answers for r in answer["results"]]
    assert created.count(True) == len(body)  # each comment created by exactly one of them
