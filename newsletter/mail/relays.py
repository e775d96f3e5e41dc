"""Which relay carries the next mail: the first one, in SMTP_URL's order, whose circuit is closed.

Each relay has its own circuit in Redis, shared by every worker on every machine. A failed
connection opens that relay's circuit for a back-off (1 s, doubling with each failed probe, at
most 15 s) and mail goes to the next relay meanwhile. When the back-off has passed, one worker
probes the relay again (the others keep using the next one); the probe's first accepted mail
closes the circuit and mail returns to the preferred relay. Losing Redis loses only this
preference: then the first relay is tried, as with one relay.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

import redis
from flask import current_app

from newsletter.settings import SmtpUrl

log = logging.getLogger(__name__)
PREFIX = "ravijn:relay:"
MAX_BACKOFF = 15  # seconds: a relay that is back gets mail again within this
PROBE_SECONDS = 35  # longer than the transport's connection timeout (30 s)


_FAILED = """
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0')
if now >= tonumber(redis.call('HGET', KEYS[1], 'open_until') or '0') then
  failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
  local backoff = math.min(2 ^ (failures - 1), tonumber(ARGV[1]))
  redis.call('HSET', KEYS[1], 'open_until', string.format('%.6f', now + backoff))
  redis.call('DEL', KEYS[2])
elseif ARGV[2] ~= '' and redis.call('GET', KEYS[2]) == ARGV[2] then
  redis.call('DEL', KEYS[2])  -- our own probe failed: its turn is over, whatever else happened
end
redis.call('EXPIRE', KEYS[1], 3600)
return failures
"""


#: {seconds to wait, whether this caller took the probe's turn}. Reading the back-off and
#: taking the turn are one step, so no caller takes a turn that a failed probe freed while
#: reopening the circuit (its own failure would fall in the open circuit and free nothing).
#: The turn holds the taker's token, so only the taker gives it back (`_GIVE_BACK`).
_TURN = """
redis.replicate_commands()
if not redis.call('HGET', KEYS[1], 'failures') then return {'0', '0'} end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local open_until = tonumber(redis.call('HGET', KEYS[1], 'open_until') or '0')
if now < open_until then return {tostring(open_until - now), '0'} end
if ARGV[1] == '0' then return {'0', '0'} end
if redis.call('SET', KEYS[2], ARGV[3], 'NX', 'EX', ARGV[2]) then return {'0', '1'} end
return {'2', '0'}
"""

_GIVE_BACK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class Choice:
    relay: SmtpUrl | None  # None: every relay's circuit is open
    wait: float = 0.0  # then: seconds until one may be tried again
    fallback: bool = False  # not the preferred relay
    turn: str | None = None  # this caller probes `relay`: the token to succeed, fail or give back


def _client() -> redis.Redis:
    return current_app.extensions["redis"]


def _now(r: redis.Redis) -> float:
    seconds, micros = r.time()
    return seconds + micros / 1e6


class Circuit:
    def __init__(self, relay: SmtpUrl) -> None:
        self.key = PREFIX + relay.label
        self.probe = self.key + ":probe"

    def ask(self, probe: bool = True, taker: str = "-") -> tuple[float, bool]:
        """(0, ...) when a connection may be tried now; after the back-off only one caller
        gets (0, True): it probes, and the others wait 2 s for its verdict (or, should the
        prober vanish, until its turn expires). `probe=False` asks without taking the turn."""
        script = _client().register_script(_TURN)
        wait, took = script(keys=[self.key, self.probe], args=[int(probe), PROBE_SECONDS, taker])
        return float(wait), took == b"1"

    def wait_seconds(self, probe: bool = True) -> float:
        return self.ask(probe)[0]

    def failures(self) -> int:
        return int(_client().hget(self.key, "failures") or 0)

    def failed(self, turn: str | None = None) -> int:
        """A failed connection; returns how many times in a row the relay failed. The
        sessions that were open when a relay went away fail together: while the circuit is
        open they count as that one failure, so the back-off and the way to an automatic
        pause grow per failed probe, not per session (the same for 1 or 16 connections)."""
        script = _client().register_script(_FAILED)
        return int(script(keys=[self.key, self.probe], args=[MAX_BACKOFF, turn or ""]))

    def succeeded(self) -> None:
        _client().delete(self.key, self.probe)


def choose(relays: tuple[SmtpUrl, ...], probe: bool = True) -> Choice:
    """The relay for the next session, or how long until one may be tried. The caller
    connects to it right away; when it has the probe's turn (`Choice.turn`), its session
    succeeds, fails or gives the turn back. `probe=False` only looks."""
    waits: list[float] = []
    token = secrets.token_hex(8)
    try:
        for index, relay in enumerate(relays):
            wait, took = Circuit(relay).ask(probe, token)
            if wait == 0:
                return Choice(relay, fallback=index > 0, turn=token if took else None)
            waits.append(wait)
    except redis.RedisError as exc:
        log.warning("relay circuits unknown (%s): trying the first relay", exc.__class__.__name__)
        return Choice(relays[0])
    return Choice(None, wait=min(waits))


def give_back(relay: SmtpUrl, turn: str) -> None:
    """A probe's turn that was taken but not used (no connection was tried): the next caller
    may probe now, not when the turn expires. Only its taker's token frees it."""
    try:
        _client().register_script(_GIVE_BACK)(keys=[Circuit(relay).probe], args=[turn])
    except redis.RedisError as exc:
        log.warning("probe turn of %s not given back: %s", relay.label, exc.__class__.__name__)


def failed(relay: SmtpUrl, turn: str | None = None) -> int:
    """One more failed connection to `relay`; its consecutive count. `turn`: the caller's
    probe turn, over now."""
    return Circuit(relay).failed(turn)


def failed_quietly(relay: SmtpUrl) -> None:
    """failed(), for one mail that goes on to the next relay: a Redis error here must not
    hide the relay's own error."""
    try:
        Circuit(relay).failed()
    except redis.RedisError as exc:
        log.warning("circuit of %s not opened: %s", relay.label, exc.__class__.__name__)


def succeeded(relay: SmtpUrl) -> None:
    """Close the relay's circuit. Called after a mail was taken: a Redis error here must not
    make anyone send that mail again."""
    try:
        Circuit(relay).succeeded()
    except redis.RedisError as exc:
        log.warning("circuit of %s not closed: %s", relay.label, exc.__class__.__name__)


def all_failing(relays: tuple[SmtpUrl, ...], threshold: int) -> bool:
    """Every relay has failed `threshold` times in a row: time to stop and tell someone."""
    return all(Circuit(relay).failures() >= threshold for relay in relays)


def reset(relays: tuple[SmtpUrl, ...]) -> None:
    """Forget every circuit (resume after an automatic pause tries the first relay again);
    without Redis there is nothing to forget."""
    try:
        _client().delete(*(Circuit(relay).key for relay in relays))
    except redis.RedisError as exc:
        log.warning("relay circuits not reset: %s", exc.__class__.__name__)


def status(relays: tuple[SmtpUrl, ...], client: redis.Redis | None = None) -> dict[str, bool]:
    """host:port -> whether its circuit is open, for /readyz (which passes its bounded
    client)."""
    r = client or _client()
    pipe = r.pipeline(transaction=False)
    for relay in relays:
        pipe.hget(Circuit(relay).key, "open_until")
    now = _now(r)
    return {
        relay.label: float(until or 0) > now
        for relay, until in zip(relays, pipe.execute(), strict=True)
    }
