"""Entry point for gunicorn (`gunicorn wsgi:app`) and `flask --app wsgi`."""

import gc
import os
import sys

from newsletter import create_app, schema_version
from newsletter.logs import configure as configure_logging
from newsletter.settings import ConfigError

try:
    app = create_app()
    if os.environ.get("FLASK_RUN_FROM_CLI") != "true":  # `flask db upgrade` must still run
        schema_version.check(app)
except ConfigError as exc:
    print(f"Fout in de instellingen: {exc}", file=sys.stderr)
    sys.exit(1)
except schema_version.UnknownSchema as exc:
    print(f"Niet gestart: {exc}", file=sys.stderr)
    sys.exit(1)
if app.config["SETTINGS"].log_format == "json":
    configure_logging("json")  # one JSON object per line for the operator's log collector
# the app's own objects live as long as the process: keep the garbage collector from walking
# them again and again (its full passes showed up as the slowest sign-ups under load)
gc.freeze()
