"""/healthz: the process answers. /readyz: the database, Redis and the job broker answer, so
this instance can take requests; the relay's circuit is reported too, without failing the
check (sign-ups and pages work while the relay is away: their mail waits in the queue).

Cheap enough to poll every second (one `SELECT 1`, one PING, one Redis read), no personal data,
never cached, never rate-limited.
"""

from __future__ import annotations

import redis
from flask import Blueprint, current_app, jsonify
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import text
from werkzeug.wrappers import Response

from newsletter.extensions import db
from newsletter.mail import relays

bp = Blueprint("ops", __name__)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    return _no_store(jsonify({"status": "ok"}))


def _check(name: str, probe) -> tuple[str, bool]:
    try:
        probe()
    except Exception as exc:  # any failure means "not ready"; the name says which part
        current_app.logger.warning("readyz: %s unavailable (%s)", name, exc.__class__.__name__)
        return "onbereikbaar", False
    return "ok", True


def _database() -> None:
    db.session.execute(text("SELECT 1"))
    db.session.commit()


#: what the probe does not copy from a client's pool: its own limits, and redis-py 8's
#: maintenance bookkeeping (tied to that pool, and restoring 5 s limits after an event)
_NOT_COPIED = ("orig_", "maint_notifications", "socket_", "retry")


def _bounded(client: redis.Redis) -> redis.Redis:
    """The same server, asked once with a one-second limit: redis-py's default (three retries
    with back-off) made a probe of a stopped Redis answer after up to 8 s, too late for a load
    balancer. Made on the first probe of each client and kept (making it does no I/O)."""
    probes = current_app.extensions.setdefault("readyz_probes", {})
    if id(client) not in probes:
        pool = client.connection_pool
        kwargs = {k: v for k, v in pool.connection_kwargs.items() if not k.startswith(_NOT_COPIED)}
        kwargs |= {"socket_connect_timeout": 1, "socket_timeout": 1, "retry": Retry(NoBackoff(), 0)}
        bounded = redis.ConnectionPool(connection_class=pool.connection_class, **kwargs)
        probes.setdefault(id(client), (client, redis.Redis(connection_pool=bounded)))
    return probes[id(client)][1]


def _server(client: redis.Redis) -> tuple[object, ...]:
    kwargs = client.connection_pool.connection_kwargs
    return tuple(kwargs.get(key) for key in ("host", "port", "path"))


def _redis() -> None:
    _bounded(current_app.extensions["redis"]).ping()


def _broker_on_that_redis() -> bool:
    """The broker keeps its queues in the app's own Redis (no separate BROKER_URL server)."""
    if _amqp():
        return False
    broker = current_app.extensions["broker"]
    return _server(broker.client) == _server(current_app.extensions["redis"])


def _broker() -> None:
    broker = current_app.extensions["broker"]
    if _amqp():
        broker.connection.process_data_events(time_limit=0)
    else:
        _bounded(broker.client).ping()


def _amqp() -> bool:
    return current_app.config["SETTINGS"].broker_url.startswith("amqp")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    checks: dict[str, str] = {}
    checks["database"], database_ok = _check("database", _database)
    checks["redis"], redis_ok = _check("redis", _redis)
    if redis_ok or not _broker_on_that_redis():
        checks["broker"], broker_ok = _check("broker", _broker)
    else:  # the same server, just found away: asking again would only double the wait
        checks["broker"], broker_ok = "onbereikbaar", False
    checks["relay"] = "onbekend"  # the circuits live in Redis: unknown while it is away
    if redis_ok:
        try:
            bounded = _bounded(current_app.extensions["redis"])
            circuits = relays.status(current_app.config["SETTINGS"].relays, bounded)
            checks["relay"] = "circuit open" if all(circuits.values()) else "ok"
        except Exception as exc:  # Redis went away just now: the next probe says so
            current_app.logger.warning("readyz: relay circuits unknown (%s)", type(exc).__name__)
    ready = database_ok and redis_ok and broker_ok
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return _no_store(jsonify(body)), (200 if ready else 503)
