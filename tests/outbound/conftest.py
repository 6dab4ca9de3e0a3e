"""A real webhook receiver on 127.0.0.1, and endpoints of the two brands pointing at receivers."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from outbound.delivery import verify_signature
from outbound.models import Endpoint, Purpose

# The real worker and its broker, shared with the crisis tests.
from tests.crisis.conftest import broker, celery_worker_factory  # noqa: F401


class Receiver:
    """Answers POSTs with the scripted replies in order, then 200; records every request and
    whether its signature verified with ``secret``. A bad signature is answered 401, as a real
    receiver would."""

    def __init__(self):
        self.secret = ""
        self.script: list[dict] = []
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                header = self.headers.get("X-Semaforo-Signature")
                delivery_id = self.headers.get("X-Semaforo-Delivery")
                verified = verify_signature(receiver.secret, header, body, delivery_id=delivery_id)
                with receiver._lock:
                    receiver.requests.append(
                        {
                            "path": self.path,
                            "headers": dict(self.headers),
                            "body": body,
                            "verified": verified,
                        }
                    )
                    reply = receiver.script.pop(0) if receiver.script else {}
                time.sleep(reply.get("delay", 0))
                status = reply.get("status", 200 if verified else 401)
                try:
                    self.send_response(status)
                    for name, value in reply.get("headers", {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(b"received" if status < 300 else b"refused")
                except OSError:  # the sender gave up waiting (the timeout test)
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/semaforo"

    def reply_with(self, *replies: dict) -> None:
        self.script.extend(replies)

    def json(self, index: int = -1) -> dict:
        return json.loads(self.requests[index]["body"])

    def wait_for(self, count: int, timeout: float = 30) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.requests) >= count:
                return self.requests
            time.sleep(0.1)
        raise AssertionError(f"expected {count} request(s), got {len(self.requests)}")

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver_factory():
    receivers = []

    def start() -> Receiver:
        receivers.append(Receiver())
        return receivers[-1]

    yield start
    for receiver in receivers:
        receiver.stop()


@pytest.fixture
def receiver(receiver_factory) -> Receiver:
    return receiver_factory()


def connect(receiver: Receiver, brand, purpose: Purpose = Purpose.PUBLISHING) -> Endpoint:
    """An active endpoint of ``brand`` pointing at ``receiver``, which learns its secret."""
    endpoint = Endpoint.objects.create(brand=brand, purpose=purpose, url=receiver.url)
    receiver.secret = endpoint.secret
    return endpoint


@pytest.fixture
def aurora_publishing(aurora, receiver) -> Endpoint:
    return connect(receiver, aurora)
