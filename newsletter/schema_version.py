"""The app starts only on a database schema it knows (docs/operations.md#rolling-deploys).

A web node or worker of one release that met the schema of a newer one used to start and then
fail on its first read of a renamed column or a new enum value, at a reader's request. Now it
stops at start with one Dutch line: the database's Alembic revision must be one of this
release's own, and its newest (`flask db upgrade` comes first). `SCHEMA_CHECK=off` skips the
check, for the one case it is in the way: going back to the previous release after a migration
that only added (expand), which that release can read.
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
    if unknown:
        raise UnknownSchema(
            f"de database heeft schemaversie {', '.join(unknown)}, die deze versie van de app "
            "niet kent: ze is bijgewerkt voor een nieuwere versie. Start die nieuwere versie."
        )
    if current != heads:
        raise UnknownSchema(
            f"de database heeft schemaversie {', '.join(sorted(current))}; deze versie van de "
            f"app verwacht {', '.join(sorted(heads))}. {UPGRADE}."
        )
