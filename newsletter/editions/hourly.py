"""Counts per hour that hold for every web node together: a sliding window in Redis.

`take` adds `n` to every key at once, or to none when any key would pass its limit; the
clock is Redis's own TIME, so the nodes' clocks do not matter.
"""

from __future__ import annotations

import redis
from flask import current_app

PREFIX = "ravijn:hourly:"
WINDOW_MS = 3600 * 1000

_TAKE = """
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local counted = #KEYS - 1
for i = 1, counted do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if redis.call('ZCARD', KEYS[i]) + n > tonumber(ARGV[2 + i]) then return i end
end
for i = 1, counted do
  for j = 1, n do
    redis.call('ZADD', KEYS[i], now, redis.call('INCR', KEYS[#KEYS]))
  end
  redis.call('PEXPIRE', KEYS[i], window)
end
return 0
"""


class Unavailable(Exception):
    """Redis could not be reached: nothing was counted, so nothing may go."""


def take(limits: dict[str, int], n: int = 1) -> str | None:
    """Count `n` against each `name: limit`; the name whose limit it would pass (then
    nothing is counted), or None."""
    names = list(limits)
    client: redis.Redis = current_app.extensions["redis"]
    try:
        over = int(
            client.eval(
                _TAKE,
                len(names) + 1,
                *(PREFIX + name for name in names),
                PREFIX + "seq",
                WINDOW_MS,
                n,
                *(limits[name] for name in names),
            )
        )
    except redis.RedisError as exc:
        raise Unavailable(str(exc)) from exc
    return names[over - 1] if over else None


def once_a_minute(name: str) -> bool:
    """True the first time in a minute for `name` (e.g. one audit line for many refusals)."""
    client: redis.Redis = current_app.extensions["redis"]
    try:
        return bool(client.set(PREFIX + "once:" + name, "1", nx=True, ex=60))
    except redis.RedisError:
        return True
