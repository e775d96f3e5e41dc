"""Dramatiq entry point: `dramatiq workers` imports this module.

Importing it builds the app once from the environment, makes the app's broker the global one,
adds the middleware that runs every message inside an app context, the clock that queues the
reconciler and the /metrics port (WORKER_METRICS_PORT), and declares the actors.
(This is the one place where work happens at import: Dramatiq's CLI finds its broker that way.)
"""

from __future__ import annotations

import sys

import dramatiq
from dramatiq.middleware import CurrentMessage

from newsletter import create_app, schema_version
from newsletter.logs import configure as configure_logging
from newsletter.settings import ConfigError
from workers.clock import ClockMiddleware
from workers.metrics_server import MetricsServerMiddleware
from workers.middleware import AppContextMiddleware

try:
    app = create_app()
    if app.config["SETTINGS"].env != "test":  # the tests import this before they migrate
        schema_version.check(app)
except ConfigError as exc:
    print(f"Fout in de instellingen: {exc}", file=sys.stderr)
    raise SystemExit(1) from None
except schema_version.UnknownSchema as exc:
    print(f"Niet gestart: {exc}", file=sys.stderr)
    raise SystemExit(1) from None

if app.config["SETTINGS"].log_format == "json":
    configure_logging("json")  # Dramatiq's own handler writes plain text otherwise

broker: dramatiq.Broker = app.extensions["broker"]
broker.add_middleware(CurrentMessage())  # lets an actor know its last try
broker.add_middleware(AppContextMiddleware(app))
broker.add_middleware(ClockMiddleware(app))
broker.add_middleware(MetricsServerMiddleware(app))
dramatiq.set_broker(broker)

from workers import actors  # noqa: E402  (actors bind to the broker set just above)

__all__ = ["actors", "app", "broker"]
