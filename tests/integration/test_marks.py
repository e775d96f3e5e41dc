"""The ledger's marks (one UPDATE per mail, its answer read later): a row is marked only while
its lease is ours, and a connection that could not be set up or cleaned never goes back to the
pool in autocommit, where the next user's rollback would undo nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update

from newsletter.delivery.ledger import marks
from newsletter.delivery.ledger.marks import Marks
from newsletter.delivery.models import Delivery, DeliveryState
from newsletter.editions import services as editions
from tests.factories import SOURCE, subscribers

#: SQL that PostgreSQL and SQLite may treat differently: run on both (docs/testing.md#tiers)
pytestmark = pytest.mark.dialect


@pytest.fixture
def rows(db, editor):
    edition, _ = editions.create(SOURCE, editor.id)
    people = subscribers(db, 2)
    made = [
        Delivery(edition_id=edition.id, subscriber_id=p.id, batch_no=0, claim=holder)
        for p, holder in zip(people, ("ons", "ander"), strict=True)
    ]
    db.session.add_all(made)
    db.session.commit()
    return [row.id for row in made]


def test_a_mark_holds_only_while_the_lease_is_ours(db, rows):
    ours, theirs = rows
    with Marks("ons") as pending:
        pending.send(ours, DeliveryState.sent)
        assert pending.settle() == (ours, DeliveryState.sent, True)
        assert pending.mark(theirs, DeliveryState.sent) is False  # another run holds it
    states = dict(db.session.execute(select(Delivery.id, Delivery.state)).all())
    db.session.commit()
    assert states == {ours: DeliveryState.sent, theirs: DeliveryState.pending}


def test_a_mark_goes_only_from_pending_along_the_ledgers_transitions(db, rows):
    ours, _ = rows
    with Marks("ons") as pending:
        with pytest.raises(ValueError, match="not a transition"):
            pending.send(ours, DeliveryState.pending)
        assert pending.mark(ours, DeliveryState.failed) is True
    # a failed row that somehow kept its claim is no longer pending: the mark changes nothing
    db.session.execute(update(Delivery).where(Delivery.id == ours).values(claim="ons"))
    db.session.commit()
    with Marks("ons") as pending:
        assert pending.mark(ours, DeliveryState.sent) is False
    assert db.session.get(Delivery, ours).state == DeliveryState.failed


def test_a_failed_mark_puts_no_autocommit_connection_back(db, rows, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("autocommit and libpq's own calls: PostgreSQL")
    failing = b"SELECT $1::text, $2::timestamp, $3::text, $4::bigint, $5::text FROM no_such_table"
    monkeypatch.setattr(marks, "_PG_SQL", failing)
    for _ in range(3):
        with pytest.raises(Exception, match="no_such_table"), Marks("ons") as pending:
            pending.mark(rows[0], DeliveryState.sent)
    held = [db.engine.raw_connection() for _ in range(db.engine.pool.size())]
    try:
        for raw in held:
            assert raw.driver_connection.autocommit is False
            with raw.driver_connection.cursor() as cursor:
                cursor.execute("SHOW synchronous_commit")
                assert cursor.fetchone()[0] == "on"
            raw.driver_connection.rollback()
    finally:
        for raw in held:
            raw.close()
    assert db.session.execute(text("SELECT 1")).scalar() == 1


def test_marks_leave_nothing_on_the_connection_for_pgbouncer(db, rows):
    """Behind PgBouncer in transaction mode the next mark may run on another server
    connection, and this one goes to someone else: no prepared statement may live on it, and
    synchronous_commit is off only inside each mark's own transaction (issue 28)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's session state")
    ours, _ = rows
    with Marks("ons") as pending:
        assert pending.mark(ours, DeliveryState.sent) is True
        with pending.raw.driver_connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            assert cursor.fetchone()[0] == 0
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
