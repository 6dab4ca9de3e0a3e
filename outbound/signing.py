"""The webhook signature, Stripe's scheme: ``X-Semaforo-Signature: t=<unix>,v1=<hex>``.

``v1`` is HMAC-SHA256 with the endpoint's secret over ``"<t>.<raw body>"``. Signing the timestamp
with the body lets a receiver refuse a captured request replayed later. Standard library only,
so a receiver can copy this module as it is.
"""

import hashlib
import hmac
import time

HEADER = "X-Semaforo-Signature"
DEFAULT_TOLERANCE_S = 300


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The header value for ``body`` sent now (or at ``timestamp``)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def verify_signature(
    secret: str,
    header: str | None,
    body: bytes,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    *,
    now: float | None = None,
) -> bool:
    """True when ``header`` signs exactly ``body`` with ``secret`` within ``tolerance_s``.

    ``body`` must be the raw bytes received, before any JSON parsing: re-serialising changes them.
    Several ``v1`` values are accepted, so a sender may sign with two secrets during a rotation.
    """
    if not header:
        return False
    timestamp, candidates = None, []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = _digest(secret, timestamp, body)
    # compare_digest: a byte-by-byte comparison would leak, through timing, how much matched.
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
