"""LOG_FORMAT=json (issue 14): one JSON object per line with the request id; tokens masked; a
request id from outside is kept only when it is a plain one-line word."""

from __future__ import annotations

import json
import logging

import pytest

from newsletter.logs import JsonFormatter
from newsletter.proxies import VIA_TRUSTED_PROXY
from newsletter.settings import ConfigError, from_env


def test_a_log_line_is_one_json_object_with_the_request_id(app):
    formatter = JsonFormatter()
    with app.test_request_context(
        "/afmelden/eyJhbGciOi.geheim",
        headers={"X-Request-ID": "abc-123"},
        environ_overrides={VIA_TRUSTED_PROXY: True},  # as our proxy passed it on
    ):
        app.preprocess_request()
        record = logging.LogRecord(
            "newsletter.x", logging.INFO, __file__, 1, "GET /afmelden/eyJx.y", None, None
        )
        record.edition_id = 7
        line = formatter.format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["request_id"] == "abc-123" and data["edition_id"] == 7
    assert data["path"] == "/afmelden/…" and "eyJ" not in line
    assert data["level"] == "info" and data["time"].endswith("Z")


def test_a_strange_request_id_is_replaced(app):
    with app.test_request_context("/", headers={"X-Request-ID": "a\\r\\nSet-Cookie: x"}):
        app.preprocess_request()
        from flask import g

        assert g.request_id != "a\\r\\nSet-Cookie: x" and len(g.request_id) == 32


def test_log_format_is_checked():
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        from_env({"NEWSLETTER_ENV": "development", "LOG_FORMAT": "xml"})
    assert from_env({"NEWSLETTER_ENV": "development", "LOG_FORMAT": "json"}).log_format == "json"
