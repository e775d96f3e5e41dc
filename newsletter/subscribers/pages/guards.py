"""Quiet defences of the sign-up form: honeypot, signed time-trap, per-address rate limit.

A request they stop gets the very same answer as a real sign-up, so a bot learns nothing.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from flask import current_app
from limits import parse_many

from newsletter.extensions import limiter
from newsletter.subscribers.addresses import mailbox
from newsletter.subscribers.links import signer
from newsletter.subscribers.tokens import Purpose, TokenInvalid

TIME_TRAP_MAX_AGE = 24 * 3600


def new_time_trap() -> str:
    """When the form was made, and a nonce that lets it be used once."""
    return signer().dumps(Purpose.form_time, [int(time.time()), secrets.token_hex(8)])


def passes_time_trap(token: str | None, min_seconds: int) -> bool:
    """True when the form was signed by us between `min_seconds` and a day ago, the first
    time it comes back: a replayed form (a bot re-posting one token) is dropped quietly."""
    try:
        value = signer().loads(Purpose.form_time, token or "", max_age=TIME_TRAP_MAX_AGE)
    except TokenInvalid:
        return False
    if not (isinstance(value, list) and len(value) == 2 and type(value[0]) is int):
        return False
    if time.time() - value[0] < min_seconds:
        return False
    used = "ravijn:form-used:" + hashlib.sha256(str(value[1]).encode()).hexdigest()[:32]
    return bool(current_app.extensions["redis"].set(used, "1", nx=True, ex=TIME_TRAP_MAX_AGE))


def address_allowed(email_key: str, limit: str) -> bool:
    """Flask-Limiter's storage (Redis), keyed by a hash of the mailbox: `+tags` (and dots at
    Gmail) do not make a second inbox to flood."""
    digest = hashlib.sha256(mailbox(email_key).encode()).hexdigest()[:32]
    strategy = limiter.limiter
    return all(strategy.hit(item, "signup-address", digest) for item in parse_many(limit))
