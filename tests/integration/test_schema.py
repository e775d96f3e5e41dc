"""Migrations and models describe the same schema; the reference data are complete."""

from collections import Counter

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from newsletter.extensions import db as _db
from newsletter.models import Gemeente

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


def test_models_and_migrations_do_not_drift(db):
    with _db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, _db.metadata)
    assert diff == []


def test_all_342_gemeenten_are_seeded(db):
    gemeenten = list(db.session.scalars(select(Gemeente)))
    assert len(gemeenten) == 342
    assert Counter(g.province for g in gemeenten) == PROVINCES
    den_haag = db.session.get(Gemeente, "GM0518")
    assert (den_haag.name, den_haag.display_name) == ("'s-Gravenhage", "Den Haag")
