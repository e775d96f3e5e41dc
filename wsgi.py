"""Entry point for gunicorn (`gunicorn wsgi:app`) and `flask --app wsgi`."""

import sys

from newsletter import create_app
from newsletter.settings import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    print(f"Configuration error: {exc}", file=sys.stderr)
    sys.exit(1)
