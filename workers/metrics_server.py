"""/metrics of the workers, on a port of their own (WORKER_METRICS_PORT): a worker machine has
no web app, and its counters (mail sent and refused, relay failures) live in its processes.

Every worker process tries to listen on the port; on one machine the first one gets it and the
others find it taken. With PROMETHEUS_MULTIPROC_DIR set (needed for `-p N` anyway) the one that
listens answers with the sums of all processes on the machine, so a machine is one scrape
target, whatever N is. The same bearer token as the web app's /metrics; no token, no port.
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import Callable, Iterable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import dramatiq
from dramatiq.middleware import Middleware
from flask import Flask

from newsletter import metrics

log = logging.getLogger(__name__)
REFUSED = b"Stuur precies deze kop mee: Authorization: Bearer <METRICS_TOKEN>\n"


def _app(token: str) -> Callable[..., Iterable[bytes]]:
    """The whole server: GET /metrics with the token (serving, not calling out: no http client)."""

    def answer(environ: dict[str, object], start_response: Callable[..., object]) -> list[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Niet gevonden\n"]
        given = str(environ.get("HTTP_AUTHORIZATION", "")).removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            start_response(
                "401 Unauthorized",
                [("Content-Type", "text/plain"), ("WWW-Authenticate", 'Bearer realm="metrics"')],
            )
            return [REFUSED]
        body = metrics.exposition()
        start_response(
            "200 OK", [("Content-Type", metrics.CONTENT_TYPE), ("Cache-Control", "no-store")]
        )
        return [body]

    return answer


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # a scrape every 15 s is no news for the log


class MetricsServerMiddleware(Middleware):
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server: WSGIServer | None = None

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        settings = self.app.config["SETTINGS"]
        if not settings.worker_metrics_port or not settings.metrics_token:
            return
        address = (settings.worker_metrics_address, settings.worker_metrics_port)
        try:
            self.server = make_server(*address, _app(settings.metrics_token), handler_class=_Quiet)
        except OSError:  # another worker process on this machine serves the port
            return
        threading.Thread(
            target=self.server.serve_forever, name="ravijn-metrics", daemon=True
        ).start()
        log.info("worker metrics on %s:%s/metrics", *address)

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
