"""Unit tests need no services: their app has an in-memory SQLite it never touches and a Redis
URL nobody answers (`pytest tests/unit` passes with PostgreSQL and Redis stopped)."""

from __future__ import annotations

import dataclasses

import pytest


@pytest.fixture(scope="session")
def app():
    from newsletter import create_app
    from newsletter.settings import from_env

    settings = dataclasses.replace(
        from_env(), database_url="sqlite://", redis_url="redis://127.0.0.1:9/0", broker_url=""
    )
    return create_app(settings)
