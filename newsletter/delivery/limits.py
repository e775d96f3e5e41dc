"""Limits shared by every worker on every machine, kept in Redis.

- `Throttle`: messages per second over all workers (GCRA; the clock is Redis's own TIME).
- `Slots`: how many SMTP sessions may be open at once for editions; a slot is a lease that
  its holder renews, so a killed worker's slot frees itself.
- relay in use: which relay an edition's batches last went to, for the progress page (the
  circuits themselves are the mail package's: newsletter.mail.relays).
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
    """`key` names a throttle of its own (one relay's rate); without one, the send rate."""

    def __init__(self, rate: int, key: str = "") -> None:
        self.rate = rate
        self.key = PREFIX + "throttle" + (":" + key if key else "")
        self._script = client().register_script(_THROTTLE) if rate else None

    def wait_seconds(self) -> float:
        """0 when this message may go now; otherwise how long to wait before asking again."""
        if self._script is None:
            return 0.0
        interval = 1_000_000 // self.rate
        burst = max(interval, 1_000_000 // 10)  # a tenth of a second of burst
        return int(self._script(keys=[self.key], args=[interval, burst])) / 1e6


class Slots:
    def __init__(self, limit: int, lease_seconds: int) -> None:
        self.limit, self.lease_ms = limit, lease_seconds * 1000
        self._script = client().register_script(_SLOT)

    def acquire(self, holder: str) -> bool:
        """Take (or renew) a slot; False when `limit` others hold one."""
        return bool(self._script(keys=[PREFIX + "slots"], args=[holder, self.limit, self.lease_ms]))

    def release(self, holder: str) -> None:
        client().zrem(PREFIX + "slots", holder)


def note_relay(edition_id: int, label: str) -> None:
    """The relay this edition's batches use now (kept a minute: it is renewed per batch)."""
    client().set(f"{PREFIX}relay:{edition_id}", label, ex=60)


def relay_of(edition_id: int) -> str | None:
    value = client().get(f"{PREFIX}relay:{edition_id}")
    return value.decode() if isinstance(value, bytes) else value


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
