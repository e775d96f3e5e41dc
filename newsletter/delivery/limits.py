"""Limits shared by every worker on every machine, kept in Redis.

- `Throttle`: messages per second over all workers (GCRA; the clock is Redis's own TIME).
- `Slots`: how many SMTP sessions may be open at once for editions; a slot is a lease that
  its holder renews, so a killed worker's slot frees itself.
- `Circuit`: after a failed connection nobody tries again until a back-off has passed, and
  then only one worker probes; consecutive failed probes are what may pause a send.
- batch keys: "a message for this batch is on the queue", so the reconciler can tell a lost
  message (Redis flushed or restarted) from one that simply waits its turn.

Losing all of this (FLUSHALL) is safe: the ledger in the database stays the truth.
"""

from __future__ import annotations

import redis
from flask import current_app

PREFIX = "ravijn:delivery:"

_THROTTLE = """
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if tat - burst > now then return tat - burst - now end
local ttl = math.ceil((tat + interval - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', tat + interval), 'PX', ttl)
return 0
"""

_SLOT = """
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
  return 1
end
return 0
"""


def client() -> redis.Redis:
    return current_app.extensions["redis"]


class Throttle:
    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._script = client().register_script(_THROTTLE) if rate else None

    def wait_seconds(self) -> float:
        """0 when this message may go now; otherwise how long to wait before asking again."""
        if self._script is None:
            return 0.0
        interval = 1_000_000 // self.rate
        burst = max(interval, 1_000_000 // 10)  # a tenth of a second of burst
        return int(self._script(keys=[PREFIX + "throttle"], args=[interval, burst])) / 1e6


class Slots:
    def __init__(self, limit: int, lease_seconds: int) -> None:
        self.limit, self.lease_ms = limit, lease_seconds * 1000
        self._script = client().register_script(_SLOT)

    def acquire(self, holder: str) -> bool:
        """Take (or renew) a slot; False when `limit` others hold one."""
        return bool(self._script(keys=[PREFIX + "slots"], args=[holder, self.limit, self.lease_ms]))

    def release(self, holder: str) -> None:
        client().zrem(PREFIX + "slots", holder)


class Circuit:
    KEY, PROBE = PREFIX + "circuit", PREFIX + "probe"
    MAX_BACKOFF = 60

    def wait_seconds(self) -> float:
        """0 when a connection may be tried now."""
        r = client()
        failures, open_until = r.hmget(self.KEY, "failures", "open_until")
        if not failures:
            return 0.0
        now = _now(r)
        if now < float(open_until or 0):
            return float(open_until) - now
        # the back-off has passed: one worker probes, the others wait for its verdict
        return 0.0 if r.set(self.PROBE, "1", nx=True, ex=30) else 2.0

    def failed(self) -> int:
        """Count one more failed connection; returns the consecutive count."""
        r = client()
        failures = int(r.hincrby(self.KEY, "failures", 1))
        backoff = min(2 ** (failures - 1), self.MAX_BACKOFF)
        r.hset(self.KEY, "open_until", _now(r) + backoff)
        r.delete(self.PROBE)
        r.expire(self.KEY, 3600)
        return failures

    def succeeded(self) -> None:
        client().delete(self.KEY, self.PROBE)


def _now(r: redis.Redis) -> float:
    seconds, micros = r.time()
    return seconds + micros / 1e6


def batch_key(edition_id: int, batch_no: int) -> str:
    return f"{PREFIX}batch:{edition_id}:{batch_no}"


def fanout_key(edition_id: int) -> str:
    return f"{PREFIX}fanout:{edition_id}"


def forget(key: str) -> None:
    client().delete(key)


def queued(keys: list[str]) -> list[bool]:
    if not keys:
        return []
    pipe = client().pipeline(transaction=False)
    for key in keys:
        pipe.exists(key)
    return [bool(n) for n in pipe.execute()]
