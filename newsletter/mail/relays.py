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
end
redis.call('EXPIRE', KEYS[1], 3600)
return failures
"""


#: 0 when a connection may be tried now, else the seconds to wait. In one step: reading the
#: back-off and taking the probe's turn apart let a caller read "passed", then take a turn
#: freed a moment later by a failed probe that had opened the circuit again; its own failure
#: then fell in the open circuit, freed nothing, and the relay was not tried for 35 s.
_TURN = """
redis.replicate_commands()
if not redis.call('HGET', KEYS[1], 'failures') then return '0' end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local open_until = tonumber(redis.call('HGET', KEYS[1], 'open_until') or '0')
if now < open_until then return tostring(open_until - now) end
if ARGV[1] == '0' then return '0' end
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2]) then return '0' end
return '2'
"""


@dataclass(frozen=True)
class Choice:
    relay: SmtpUrl | None  # None: every relay's circuit is open
    wait: float = 0.0  # then: seconds until one may be tried again
    fallback: bool = False  # not the preferred relay


def _client() -> redis.Redis:
    return current_app.extensions["redis"]


def _now(r: redis.Redis) -> float:
    seconds, micros = r.time()
    return seconds + micros / 1e6


class Circuit:
    def __init__(self, relay: SmtpUrl) -> None:
        self.key = PREFIX + relay.label
        self.probe = self.key + ":probe"

    def wait_seconds(self, probe: bool = True) -> float:
        """0 when a connection may be tried now. After the back-off only one caller gets 0
        (it probes; the others wait 2 s for its verdict, or, should the prober hang, for the
        next turn once a connection attempt has timed out); `probe=False` asks without
        taking that turn."""
        script = _client().register_script(_TURN)
        return float(script(keys=[self.key, self.probe], args=[int(probe), PROBE_SECONDS]))

    def failures(self) -> int:
        return int(_client().hget(self.key, "failures") or 0)

    def failed(self) -> int:
        """A failed connection; returns how many times in a row the relay failed. The
        sessions that were open when a relay went away fail together: while the circuit is
        open they count as that one failure, so the back-off and the way to an automatic
        pause grow per failed probe, not per session (the same for 1 or 16 connections)."""
        return int(
            _client().register_script(_FAILED)(keys=[self.key, self.probe], args=[MAX_BACKOFF])
        )

    def succeeded(self) -> None:
        _client().delete(self.key, self.probe)


def choose(relays: tuple[SmtpUrl, ...], probe: bool = True) -> Choice:
    """The relay for the next session, or how long until one may be tried. The caller
    connects to it right away (it may have the probe's turn); `probe=False` only looks."""
    waits: list[float] = []
    try:
        for index, relay in enumerate(relays):
            wait = Circuit(relay).wait_seconds(probe)
            if wait == 0:
                return Choice(relay, fallback=index > 0)
            waits.append(wait)
    except redis.RedisError as exc:
        log.warning("relay circuits unknown (%s): trying the first relay", exc.__class__.__name__)
        return Choice(relays[0])
    return Choice(None, wait=min(waits))


def failed(relay: SmtpUrl) -> int:
    """One more failed connection to `relay`; its consecutive count."""
    return Circuit(relay).failed()


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


def status(relays: tuple[SmtpUrl, ...]) -> dict[str, bool]:
    """host:port -> whether its circuit is open, for /readyz."""
    r = _client()
    pipe = r.pipeline(transaction=False)
    for relay in relays:
        pipe.hget(Circuit(relay).key, "open_until")
    now = _now(r)
    return {
        relay.label: float(until or 0) > now
        for relay, until in zip(relays, pipe.execute(), strict=True)
    }
