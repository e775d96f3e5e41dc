"""Unit tests need no services: their app has an in-memory SQLite it never touches and never
talks to Redis (`pytest tests/unit` passes with PostgreSQL and Redis stopped).

Its Redis URL stays the suite's own: the rate limiter is one object shared by every app in the
process, so a dead URL here would break the integration and browser tests run after these."""

from __future__ import annotations

import dataclasses

import pytest


@pytest.fixture(scope="session")
def app():
    from newsletter import create_app
    from newsletter.settings import from_env

    settings = dataclasses.replace(from_env(), database_url="sqlite://", broker_url="")
    return create_app(settings)
