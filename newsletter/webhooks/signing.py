"""Signatures as the Standard Webhooks specification makes them: HMAC-SHA256 over
`{webhook-id}.{webhook-timestamp}.{body}` with the secret after `whsec_`, base64-encoded,
sent as `webhook-signature: v1,<signature>`. Receivers can use any Standard Webhooks library."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secret: str, headers: dict[str, str], body: bytes, now: int) -> bool:
    """What a receiver does (the tests use it): the timestamp is recent and one of the
    space-separated signatures matches."""
    try:
        timestamp = int(headers["webhook-timestamp"])
        expected = sign(secret, headers["webhook-id"], timestamp, body)
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    return any(
        hmac.compare_digest(expected, given) for given in headers["webhook-signature"].split()
    )
