"""Migration 0021: stored mail documents are forgotten (rendered again as pages on the next
visit); stored pages are kept, and the downgrade forgets those instead."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

MIGRATION = (
    Path(__file__).resolve().parents[2]
    / "migrations"
    / "versions"
    / "20261207_0021_archive_web_pages.py"
)
STORED = {
    1: '<!doctype html><html lang="nl" xmlns:v="urn:schemas-microsoft-com:vml">…</html>',
    2: "<!DOCTYPE html><html>…</html>",
    3: '<article class="edition"><h1>Al een pagina</h1></article>',
    4: None,
}


def _run(step: str) -> dict[int, str | None]:
    spec = importlib.util.spec_from_file_location("archive_web_pages", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    engine = sa.create_engine("sqlite://")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE edition (id INTEGER PRIMARY KEY, archive_html TEXT)"
        )
        for key, html in STORED.items():
            connection.execute(
                sa.text("INSERT INTO edition VALUES (:id, :html)"), {"id": key, "html": html}
            )
        with Operations.context(MigrationContext.configure(connection)):
            getattr(module, step)()
        return dict(connection.exec_driver_sql("SELECT id, archive_html FROM edition").all())


def test_upgrade_forgets_stored_mail_documents_only():
    assert _run("upgrade") == {1: None, 2: None, 3: STORED[3], 4: None}


def test_downgrade_forgets_stored_pages_only():
    assert _run("downgrade") == {1: STORED[1], 2: STORED[2], 3: None, 4: None}
