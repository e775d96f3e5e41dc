"""Defences of the sign-up form: honeypot, signed time-trap, per-address rate limit.

A bot's request gets the very same answer as a real sign-up, so it learns nothing; a person
whose form was too fast is asked to press the button once more (never a silent end).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time

import redis
from flask import current_app
from limits import parse_many

from newsletter.extensions import limiter
from newsletter.subscribers.addresses import mailbox
from newsletter.subscribers.links import signer
from newsletter.subscribers.tokens import Purpose, TokenInvalid

log = logging.getLogger(__name__)

TIME_TRAP_MAX_AGE = 24 * 3600


def _shared_now() -> float:
    """Redis's clock: the form is made on one web node and sent to another, and a few seconds
    are measured between the two, so both read the one clock they share. (Each node's own
    clock made every sign-up "press once more" at 2 s of skew.) Without Redis the form still
    appears; its sending needs Redis anyway."""
    try:
        seconds, micros = current_app.extensions["redis"].time()
    except redis.RedisError:
        return time.time()
    return seconds + micros / 1e6


def new_time_trap() -> str:
    """When the form was made (on Redis's clock), and a nonce that lets it be used once."""
    return signer().dumps(Purpose.form_time, [int(_shared_now()), secrets.token_hex(8)])


PASSED, AGAIN, REPLAYED = "passed", "again", "replayed"


def time_trap(token: str | None, min_seconds: int) -> str:
    """PASSED when the form was signed by us between `min_seconds` and a day ago, the first
    time it comes back. AGAIN when it came back too soon (autofill and Enter) or the form is
    older than a day or not ours: the page asks the person to press once more, nothing is
    dropped silently. REPLAYED when the same form comes back a second time (a double click, a
    bot re-posting one token): answered like a sign-up, and nothing is done."""
    try:
        value = signer().loads(Purpose.form_time, token or "", max_age=TIME_TRAP_MAX_AGE)
    except TokenInvalid:
        return AGAIN
    if not (isinstance(value, list) and len(value) == 2 and type(value[0]) is int):
        return AGAIN
    if _shared_now() - value[0] < min_seconds:
        return AGAIN
    used = "ravijn:form-used:" + hashlib.sha256(str(value[1]).encode()).hexdigest()[:32]
    first = current_app.extensions["redis"].set(used, "1", nx=True, ex=TIME_TRAP_MAX_AGE)
    return PASSED if first else REPLAYED


def address_allowed(email_key: str, limit: str, *, when_down: bool | None = None) -> bool:
    """Flask-Limiter's storage (Redis), keyed by a hash of the mailbox: `+tags` (and dots at
    Gmail) do not make a second inbox to flood. `when_down`: the answer while Redis is away
    (None: the error goes on, to the 503 page)."""
    digest = hashlib.sha256(mailbox(email_key).encode()).hexdigest()[:32]
    strategy = limiter.limiter
    try:
        return all(strategy.hit(item, "signup-address", digest) for item in parse_many(limit))
    except (redis.ConnectionError, redis.TimeoutError):
        if when_down is None:
            raise
        log.warning("address limit unknown (Redis away): %s", "open" if when_down else "closed")
        return when_down
