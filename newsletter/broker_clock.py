"""Dramatiq's Redis broker, with its heartbeats and delayed messages on Redis's clock instead
of each worker's.

Every broker command stamps the worker's heartbeat with the worker's own `time.time()`, and
the maintenance in the same Lua script calls a worker dead when its stamp is older than the
timeout, measured against the *caller's* stamp. A worker whose clock runs 30 s ahead then sees
every other worker as dead and requeues the messages they are working on: a reader gets the
same confirmation twice. Here the script reads the time from Redis (`TIME`), the one clock all
workers share, so skew between machines no longer matters and the timeout can stay short.

A delayed message (a batch waiting for an SMTP slot, a retry, a goodbye after the return
window) carries an `eta`: Dramatiq stamps it with the sender's clock and the worker that holds
it compares it with its own. A batch put back by a worker 30 s ahead then waited 30 s on every
other worker, and one put back by the others ran at once on the worker ahead. `SharedClockEta`
stamps and reads the eta on Redis's clock as well.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import redis
from dramatiq import Broker, Message
from dramatiq.brokers import redis as dramatiq_redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import Middleware

log = logging.getLogger(__name__)

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


def _local_millis() -> int:
    return int(time.time() * 1000)  # what Dramatiq's own current_millis() reads


class SharedClock:
    """Redis's clock as this process sees it: its own clock plus the difference to Redis's
    `TIME`, measured again every `refresh` seconds (so a timestamp costs no round trip)."""

    def __init__(self, client: redis.Redis, refresh: float = 30.0) -> None:
        self.client, self.refresh = client, refresh
        self._offset = 0
        self._measured: float | None = None
        self._lock = threading.Lock()

    def offset(self) -> int:
        """Milliseconds to add to this machine's clock to read Redis's."""
        with self._lock:
            if self._measured is None or time.monotonic() - self._measured > self.refresh:
                try:
                    before = _local_millis()
                    seconds, micros = self.client.time()
                    after = _local_millis()
                except redis.RedisError:  # Redis away: the last difference, or none
                    log.warning("could not read Redis's clock; using this machine's")
                else:
                    self._offset = seconds * 1000 + micros // 1000 - (before + after) // 2
                    self._measured = time.monotonic()
            return self._offset

    def millis(self) -> int:
        return _local_millis() + self.offset()

    def to_local(self, shared_millis: int) -> int:
        return shared_millis - self.offset()


class SharedClockEta(Middleware):
    """A delayed message's eta on the shared clock: stamped so when it is sent, and turned
    into this machine's time when a worker takes it into its delay queue (where Dramatiq
    compares it with its own clock)."""

    def __init__(self, clock: SharedClock) -> None:
        self.clock = clock

    def before_enqueue(self, broker: Broker, message: Message, delay: int | None) -> None:
        if delay is not None and "eta" in message.options:
            message.options["eta"] = self.clock.millis() + delay

    def before_delay_message(self, broker: Broker, message: Message) -> None:
        eta = message.options.get("eta")
        if isinstance(eta, int | float):
            message.options["eta"] = self.clock.to_local(int(eta))


class SharedClockRedisBroker(RedisBroker):
    """RedisBroker whose heartbeats, dead-message times and delayed messages' etas come from
    Redis's clock."""

    def __init__(self, **parameters: Any) -> None:
        super().__init__(**parameters)
        self.scripts["dispatch"] = self.client.register_script(dispatch_script())
        self.clock = SharedClock(self.client)
        self.add_middleware(SharedClockEta(self.clock))
