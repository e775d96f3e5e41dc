"""Migrations and models describe the same schema; the reference data are complete."""

from collections import Counter

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from newsletter.extensions import db as _db
from newsletter.models import Gemeente

#: SQL that PostgreSQL and SQLite may treat differently: run on both (docs/testing.md#tiers)
pytestmark = pytest.mark.dialect

PROVINCES = {
    "Groningen": 10,
    "Fryslân": 18,
    "Drenthe": 12,
    "Overijssel": 25,
    "Flevoland": 6,
    "Gelderland": 51,
    "Utrecht": 26,
    "Noord-Holland": 44,
    "Zuid-Holland": 50,
    "Zeeland": 13,
    "Noord-Brabant": 56,
    "Limburg": 31,
}


#: columns no model maps any more that stay for the previous release's nodes until the next
#: release drops them (docs/operations.md#rolling-deploys): (table, column)
KEPT_FOR_THE_PREVIOUS_RELEASE = {("editor", "test_addresses")}


def test_models_and_migrations_do_not_drift(db):
    with _db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, _db.metadata)
    removed = {(d[2], d[3].name) for d in diff if d[0] == "remove_column"}
    kept = removed & KEPT_FOR_THE_PREVIOUS_RELEASE
    # each is still there (a contract step that drops one takes it off the list as well)
    assert kept == KEPT_FOR_THE_PREVIOUS_RELEASE
    rest = [d for d in diff if not (d[0] == "remove_column" and (d[2], d[3].name) in kept)]
    assert rest == []


def test_all_342_gemeenten_are_seeded(db):
    gemeenten = list(db.session.scalars(select(Gemeente)))
    assert len(gemeenten) == 342
    assert Counter(g.province for g in gemeenten) == PROVINCES
    den_haag = db.session.get(Gemeente, "GM0518")
    assert (den_haag.name, den_haag.display_name) == ("'s-Gravenhage", "Den Haag")


def test_a_pooled_connection_killed_while_idle_is_replaced_unnoticed(db, monkeypatch):
    """No ping on every checkout (it cost a round trip per transaction), but a connection
    that sat idle is pinged, and one the server dropped meanwhile is replaced."""
    import pytest
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from newsletter import database

    if db.engine.dialect.name != "postgresql":
        pytest.skip("a file-based SQLite connection is never dropped by a server")
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.2)
    db.session.remove()
    db.engine.dispose()  # the pool holds one connection from here on: the one we kill
    first = db.session.scalar(text("SELECT pg_backend_pid()"))
    db.session.commit()  # back to the pool
    killer = create_engine(db.engine.url, poolclass=NullPool)  # not a connection of the pool
    with killer.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        other.commit()
    killer.dispose()
    import time

    time.sleep(0.3)
    try:
        again = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.commit()
    finally:
        db.session.remove()
        db.engine.dispose()  # no dead connection is left for the next test
    assert again != first
