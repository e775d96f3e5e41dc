"""Dramatiq's Redis broker, with its heartbeats on Redis's clock instead of each worker's.

Every broker command stamps the worker's heartbeat with the worker's own `time.time()`, and
the maintenance in the same Lua script calls a worker dead when its stamp is older than the
timeout, measured against the *caller's* stamp. A worker whose clock runs 30 s ahead then sees
every other worker as dead and requeues the messages they are working on: a reader gets the
same confirmation twice. Here the script reads the time from Redis (`TIME`), the one clock all
workers share, so skew between machines no longer matters and the timeout can stay short.
"""

from __future__ import annotations

from typing import Any

from dramatiq.brokers import redis as dramatiq_redis
from dramatiq.brokers.redis import RedisBroker

#: the line of dramatiq's dispatch.lua that takes the caller's time
CALLER_TIME = "local timestamp = ARGV[2]\n"
#: Redis's own time in milliseconds (allowed in scripts since Redis 5: effects replication)
REDIS_TIME = (
    'local redis_time = redis.call("time")\n'
    "local timestamp = redis_time[1] * 1000 + math.floor(redis_time[2] / 1000)\n"
)


def dispatch_script() -> str:
    script = dramatiq_redis._scripts["dispatch"]
    script = script.decode() if isinstance(script, bytes) else script
    if script.count(CALLER_TIME) != 1:  # a new Dramatiq changed its script: look again
        raise RuntimeError("dramatiq's dispatch.lua no longer reads the time from ARGV[2]")
    return script.replace(CALLER_TIME, REDIS_TIME)


class SharedClockRedisBroker(RedisBroker):
    """RedisBroker whose heartbeats and dead-message times come from Redis's clock."""

    def __init__(self, **parameters: Any) -> None:
        super().__init__(**parameters)
        self.scripts["dispatch"] = self.client.register_script(dispatch_script())
