"""What /readyz asks: the database, Redis and the broker, each once and within a second
(docs/operations.md#production)."""

from __future__ import annotations

import redis
from flask import current_app
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import text

from newsletter import jobs
from newsletter.extensions import db
from newsletter.mail import relays


def check(name: str, probe) -> tuple[str, bool]:
    try:
        probe()
    except Exception as exc:  # any failure means "not ready"; the name says which part
        current_app.logger.warning("readyz: %s unavailable (%s)", name, exc.__class__.__name__)
        return "onbereikbaar", False
    return "ok", True


def database() -> None:
    db.session.execute(text("SELECT 1"))
    db.session.commit()


#: what the probe does not copy from a client's pool: its own limits, and redis-py 8's
#: maintenance bookkeeping (tied to that pool, and restoring 5 s limits after an event)
_NOT_COPIED = ("orig_", "maint_notifications", "socket_", "retry")


def bounded(client: redis.Redis) -> redis.Redis:
    """The same server, asked once with a one-second limit: redis-py's default (three retries
    with back-off) lets a probe of a stopped Redis answer after up to 8 s, too late for a load
    balancer. Made on the first probe of each client and kept (making it does no I/O)."""
    probes = current_app.extensions.setdefault("readyz_probes", {})
    if id(client) not in probes:
        pool = client.connection_pool
        kwargs = {k: v for k, v in pool.connection_kwargs.items() if not k.startswith(_NOT_COPIED)}
        kwargs |= {"socket_connect_timeout": 1, "socket_timeout": 1, "retry": Retry(NoBackoff(), 0)}
        bounded = redis.ConnectionPool(connection_class=pool.connection_class, **kwargs)
        probes.setdefault(id(client), (client, redis.Redis(connection_pool=bounded)))
    return probes[id(client)][1]


def server(client: redis.Redis) -> tuple[object, ...]:
    kwargs = client.connection_pool.connection_kwargs
    return tuple(kwargs.get(key) for key in ("host", "port", "path"))


def redis_server() -> None:
    bounded(current_app.extensions["redis"]).ping()


def broker_on_that_redis() -> bool:
    """The broker keeps its queues in the app's own Redis (no separate BROKER_URL server)."""
    if amqp():
        return False
    broker = current_app.extensions["broker"]
    return server(broker.client) == server(current_app.extensions["redis"])


def broker() -> None:
    broker = current_app.extensions["broker"]
    if amqp():
        broker.connection.process_data_events(time_limit=0)
    else:
        bounded(broker.client).ping()


def amqp() -> bool:
    return current_app.config["SETTINGS"].broker_url.startswith("amqp")


def relay_circuits_open(client: redis.Redis) -> bool:
    """Whether every relay's circuit is open (read through a bounded client)."""
    return all(relays.status(current_app.config["SETTINGS"].relays, client).values())


#: every queue a job is declared on, for the queue-depth gauge of /metrics
QUEUE_NAMES = tuple(dict.fromkeys(job.queue for job in jobs.ALL))
