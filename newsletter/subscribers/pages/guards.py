"""Quiet defences of the sign-up form: honeypot, signed time-trap, per-address rate limit.

A request they stop gets the very same answer as a real sign-up, so a bot learns nothing.
"""

from __future__ import annotations

import hashlib
import time

from limits import parse_many

from newsletter.extensions import limiter
from newsletter.subscribers.links import signer
from newsletter.subscribers.tokens import Purpose, TokenInvalid

TIME_TRAP_MAX_AGE = 24 * 3600


def new_time_trap() -> str:
    return signer().dumps(Purpose.form_time, int(time.time()))


def passes_time_trap(token: str | None, min_seconds: int) -> bool:
    """True when the form was signed by us between `min_seconds` and a day ago."""
    try:
        issued = signer().loads(Purpose.form_time, token or "", max_age=TIME_TRAP_MAX_AGE)
    except TokenInvalid:
        return False
    if not isinstance(issued, int) or isinstance(issued, bool):
        return False
    return time.time() - issued >= min_seconds


def address_allowed(email_key: str, limit: str) -> bool:
    """Flask-Limiter's storage (Redis), keyed by a hash of the normalised address."""
    digest = hashlib.sha256(email_key.encode()).hexdigest()[:32]
    strategy = limiter.limiter
    return all(strategy.hit(item, "signup-address", digest) for item in parse_many(limit))
