"""Webhook signatures: HMAC-SHA256 over ``<unix time>.<body>``, sent as ``Basira-Signature: t=<unix>,v1=<hex>``.

The time is part of what is signed so that a receiver can refuse replays of old deliveries; :func:`verify_signature`
is what a receiver written in Python runs (docs/review.md shows the same steps for any language).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "Basira-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
EVENT_HEADER = "Basira-Event"
DELIVERY_HEADER = "Basira-Delivery"
# A receiver accepts signatures this close to its own clock by default.
DEFAULT_TOLERANCE_S = 300


def new_secret() -> str:
    """A fresh signing secret: 32 random bytes, URL-safe, with a recognisable prefix."""
    return "whsec_" + secrets.token_urlsafe(32)


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``Basira-Signature`` header value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def verify_signature(secret: str, body: bytes, header: str, *, tolerance_s: int = DEFAULT_TOLERANCE_S,
                     now: float | None = None) -> bool:
    """Whether ``header`` is a valid signature of ``body`` under ``secret``, made within ``tolerance_s``.

    Args:
        secret: The webhook's secret (``whsec_...``).
        body: The request body exactly as received (bytes, before any JSON parsing).
        header: The ``Basira-Signature`` header value: ``t=<unix>,v1=<hex>`` (several ``v1`` are allowed, so that
            a secret can be rotated; one match is enough).
        tolerance_s: How far the signed time may be from ``now`` (either way); 0 turns the check off.
        now: The receiver's clock in Unix seconds (the current time when None).

    Returns:
        True when a ``v1`` value matches and the time is within tolerance; False for anything else, including a
        malformed header.
    """
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == "v1" and value and value.isascii():
            candidates.append(value.strip())
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if tolerance_s and abs(current - timestamp) > tolerance_s:
        return False
    expected = _mac(secret, timestamp, body)
    return any(hmac.compare_digest(expected, c) for c in candidates)
