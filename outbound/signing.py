"""The webhook signature: ``X-Semaforo-Signature: t=<unix>,v2=<hex>``.

``v2`` is HMAC-SHA256 with the endpoint's secret over ``"<delivery id>.<t>.<raw body>"`` (the
framing of the Standard Webhooks scheme). The id is signed because receivers deduplicate on it:
a captured request replayed under another ``X-Semaforo-Delivery`` no longer verifies. The
timestamp is signed so a receiver can refuse a request replayed later, and the event is inside
the signed body. Both numbers are digits only, so the dots cannot shift: no two requests sign
the same bytes. Standard library only, so a receiver can copy this module as it is.

``v1`` (``"<t>.<body>"``, without the id) is no longer sent nor accepted.
"""

import hashlib
import hmac
import time

HEADER = "X-Semaforo-Signature"
#: The delivery's id, the same on every retry of it: what receivers deduplicate on.
DELIVERY_HEADER = "X-Semaforo-Delivery"
EVENT_HEADER = "X-Semaforo-Event"
SCHEME = "v2"
DEFAULT_TOLERANCE_S = 300


def _digest(secret: str, delivery_id: str, timestamp: int, body: bytes) -> str:
    message = f"{delivery_id}.{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, delivery_id: int | str, timestamp: int | None = None) -> str:
    """The signature header's value for delivery ``delivery_id`` carrying ``body``, sent now
    (or at ``timestamp``)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},{SCHEME}={_digest(secret, str(delivery_id), timestamp, body)}"


def verify_signature(
    secret: str,
    header: str | None,
    body: bytes,
    *,
    delivery_id: str | int | None,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> bool:
    """True when ``header`` signs exactly ``body`` as delivery ``delivery_id`` (the
    ``X-Semaforo-Delivery`` header received) with ``secret``, within ``tolerance_s``.

    ``body`` must be the raw bytes received, before any JSON parsing: re-serialising changes them.
    Several ``v2`` values are accepted, so a sender may sign with two secrets during a rotation.
    """
    if not header or delivery_id is None or not str(delivery_id).isdigit():
        return False
    timestamp, candidates = None, []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == SCHEME and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = _digest(secret, str(delivery_id), timestamp, body)
    # compare_digest: a byte-by-byte comparison would leak, through timing, how much matched.
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
