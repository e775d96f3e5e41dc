"""pytest plugin for .ci/previous-release-check, loaded into the previous release's own suite.

That suite's conftest rebuilds the schema with its own migrations at the start of the session
(`_reset_schema`); here the schema must be the NEW release's, migrated by the new code, so the
rebuild is replaced by a check that the database is at the new head. Without a `_reset_schema`
to replace the run stops: an old suite that rebuilt its own schema would pass without proving
anything.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPLACED: list[str] = []


def _keep_schema(app) -> None:
    from sqlalchemy import text

    from newsletter.extensions import db

    expected = os.environ["PREVIOUS_RELEASE_HEAD"]
    with app.app_context():
        with db.engine.connect() as conn:
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        db.session.remove()
    if found != expected:
        raise pytest.UsageError(f"the database is at {found!r}, not the new head {expected!r}")


def pytest_plugin_registered(plugin, manager) -> None:
    if getattr(plugin, "__name__", "") == "tests.conftest":
        if not hasattr(plugin, "_reset_schema"):
            raise pytest.UsageError(
                "the previous release's tests/conftest.py has no _reset_schema to replace: "
                "teach .ci/previous_release/keep_schema.py how that release builds its schema"
            )
        plugin._reset_schema = _keep_schema
        REPLACED.append(plugin.__file__)


def pytest_collection_finish(session) -> None:
    old = Path(os.environ["PREVIOUS_RELEASE_TREE"]).resolve()
    import newsletter

    if not REPLACED:
        raise pytest.UsageError("the previous release's conftest was not loaded")
    if old not in Path(newsletter.__file__).resolve().parents:
        raise pytest.UsageError(f"newsletter comes from {newsletter.__file__}, not from {old}")
