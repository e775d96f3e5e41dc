"""The app starts only on a database schema it knows (docs/operations.md#rolling-deploys).

A node of this release stops at start with one Dutch line when the database is behind it (a
revision of its own but not its newest, or none: `flask db upgrade` comes first). A revision it
does not know is the next release's: during a rolling deploy the previous release keeps running
on the new schema, which only adds to its own (expand/contract; CI runs the previous release's
smoke tests on the new schema, `.ci/previous-release-check`), so it starts and says so in the
log. `SCHEMA_CHECK=off` skips the check altogether.
"""

from __future__ import annotations

import logging
import os

from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from newsletter.resources import resource_dir

log = logging.getLogger(__name__)
UPGRADE = "Voer eerst `flask --app wsgi db upgrade` uit"


class UnknownSchema(Exception):
    """The message is Dutch, for the operator."""


def revisions() -> tuple[set[str], set[str]]:
    """(every revision this release has, its heads)."""
    script = ScriptDirectory(str(resource_dir("migrations")))
    return {r.revision for r in script.walk_revisions()}, set(script.get_heads())


def database_revisions(app: Flask) -> set[str] | None:
    """The database's revisions; None when it cannot be reached now."""
    from newsletter.extensions import db

    with app.app_context():
        try:
            connection = db.engine.connect()
        except DBAPIError:
            return None
        with connection:
            try:
                found = connection.execute(text("SELECT version_num FROM alembic_version"))
                return {row[0] for row in found}
            except DBAPIError:  # no such table: an empty database
                return set()


def check(app: Flask) -> None:
    """UnknownSchema when this release should not run on the database's schema."""
    if os.environ.get("SCHEMA_CHECK", "on").strip().lower() in ("off", "0", "false", "no"):
        return
    known, heads = revisions()
    current = database_revisions(app)
    if current is None:  # down at boot: start, /readyz says so, and the pool reconnects
        log.warning("schema check skipped: the database cannot be reached")
        return
    if not current:
        raise UnknownSchema(f"de database heeft nog geen schema. {UPGRADE}.")
    unknown = sorted(current - known)
    if unknown:  # the next release's: an expansion this release can run on, while it rolls out
        log.warning(
            "schema %s is newer than this release (%s): running as the previous release",
            ", ".join(unknown),
            ", ".join(sorted(heads)),
        )
        return
    if current != heads:
        raise UnknownSchema(
            f"de database heeft schemaversie {', '.join(sorted(current))}; deze versie van de "
            f"app verwacht {', '.join(sorted(heads))}. {UPGRADE}."
        )
