"""/healthz: the process answers. /readyz: whether this instance can take requests, for the
load balancer (docs/operations.md#readyz).

Only the database decides (503 without it: no page works, not even leaving). Redis, the job
broker and the relay are shared by every node: when one of them blips, all nodes would fail
together and the balancer would drop the whole site, the one-click unsubscribe included, while
every page but the sign-up still works (mail waits in the outbox in PostgreSQL). So they are
reported, with "status": "degraded", and the answer stays 200; alert on them from the body or
the metrics, not from the balancer.

Cheap enough to poll every second (one `SELECT 1`, one PING, one Redis read), no personal data,
never cached, never rate-limited.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from werkzeug.wrappers import Response

from newsletter.ops import probes

bp = Blueprint("ops", __name__)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    return _no_store(jsonify({"status": "ok"}))


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    checks: dict[str, str] = {}
    checks["database"], database_ok = probes.check("database", probes.database)
    checks["redis"], redis_ok = probes.check("redis", probes.redis_server)
    if redis_ok or not probes.broker_on_that_redis():
        checks["broker"], broker_ok = probes.check("broker", probes.broker)
    else:  # the same server, just found away: asking again would only double the wait
        checks["broker"], broker_ok = "onbereikbaar", False
    checks["relay"] = "onbekend"  # the circuits live in Redis: unknown while it is away
    if redis_ok:
        try:
            bounded = probes.bounded(current_app.extensions["redis"])
            checks["relay"] = "circuit open" if probes.relay_circuits_open(bounded) else "ok"
        except Exception as exc:  # Redis went away just now: the next probe says so
            current_app.logger.warning("readyz: relay circuits unknown (%s)", type(exc).__name__)
    status = "ok" if redis_ok and broker_ok else "degraded"
    body = {"status": status if database_ok else "unavailable", "checks": checks}
    return _no_store(jsonify(body)), (200 if database_ok else 503)
