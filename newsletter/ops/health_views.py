"""/healthz: the process answers. /readyz: the database, Redis and the job broker answer, so
this instance can take requests; the relay's circuit is reported too, without failing the
check (sign-ups and pages work while the relay is away: their mail waits in the queue).

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
    ready = database_ok and redis_ok and broker_ok
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return _no_store(jsonify(body)), (200 if ready else 503)
