"""Logs: plain text by default (`make run`), one JSON object per line with LOG_FORMAT=json.

Each line carries the request id when there is a request: X-Request-ID as a trusted proxy
passed it on (one plain word of at most 64 characters), else a new one; echoed in the
response. A client talking to us directly cannot choose it (nor forge another's log lines).
Messages name ids (subscriber, edition, delivery row), never an address or a token; tokens in
a path are masked (see accesslog.py).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from werkzeug.wrappers import Response

from newsletter.accesslog import mask
from newsletter.proxies import via_trusted_proxy

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")  # the whole header (fullmatch): one plain word


class JsonFormatter(logging.Formatter):
    converter = time.gmtime  # the "Z" in the timestamp is true

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        if has_request_context():
            line["request_id"] = g.get("request_id", "")
            line["path"] = mask(request.path)
        for key in ("edition_id", "delivery_id", "subscriber_id", "job"):
            if hasattr(record, key):
                line[key] = getattr(record, key)
        if record.exc_info:
            line["error"] = record.exc_info[0].__name__ if record.exc_info[0] else ""
        return json.dumps(line, ensure_ascii=False)


def configure(log_format: str, level: str = "INFO") -> None:
    """Called by the entry points (wsgi.py, workers), never by the app factory."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(name)s] %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def _request_id() -> None:
    given = request.headers.get("X-Request-ID", "") if via_trusted_proxy() else ""
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _echo(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    return response


def register(app: Flask) -> None:
    app.before_request(_request_id)
    app.after_request(_echo)
