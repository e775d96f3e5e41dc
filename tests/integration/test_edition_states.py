"""The one writer of an edition's state: an editor's unschedule racing the clock's publish ends
in one consistent state, whichever writes first (both for real, each on its own connection)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from newsletter.database import utcnow
from newsletter.delivery import control
from newsletter.delivery.models import Delivery
from newsletter.editions import services as editions
from newsletter.editions import states
from newsletter.editions.errors import EditionError
from newsletter.editions.models import Edition, EditionState
from newsletter.extensions import db as sqla
from newsletter.jobs import TRANSACTIONAL
from tests.factories import SOURCE, subscribers
from tests.helpers import wait_for_state

#: SQL that PostgreSQL and SQLite may treat differently: run on both (docs/testing.md#tiers)
pytestmark = pytest.mark.dialect


def _due_edition(editor) -> int:
    edition, _ = editions.create(SOURCE, editor.id)
    editions.schedule(edition.id, utcnow() + timedelta(minutes=5))
    sqla.session.execute(
        update(Edition)
        .where(Edition.id == edition.id)
        .values(scheduled_at=utcnow() - timedelta(seconds=1))
    )
    sqla.session.commit()
    return edition.id


def _race(app, first: Callable[[], object], second: Callable[[], object]) -> dict[str, object]:
    """Run both; `second` reads first, but its UPDATE of the edition waits until `first` has
    committed, so `second` writes on what it read before `first` changed the row."""
    first_done = threading.Event()
    outcome: dict[str, object] = {}

    def hold(conn, cursor, statement, *args) -> None:
        if threading.current_thread().name == "second" and statement.startswith("UPDATE edition"):
            assert first_done.wait(20), "the first writer did not finish"

    def run(name: str, job: Callable[[], object], after: threading.Event | None) -> None:
        with app.app_context():
            try:
                outcome[name] = job()
            except EditionError as exc:
                outcome[name] = exc
            finally:
                sqla.session.rollback()
                sqla.session.remove()
                if after is not None:
                    after.set()

    event.listen(sqla.engine, "before_cursor_execute", hold)
    try:
        threads = [
            threading.Thread(target=run, name="second", args=("second", second, None)),
            threading.Thread(target=run, name="first", args=("first", first, first_done)),
        ]
        threads[0].start()
        threads[0].join(0.5)  # the second has read by now and waits at its write
        threads[1].start()
        for thread in threads:
            thread.join(30)
            assert not thread.is_alive(), f"{thread.name} did not end"
    finally:
        event.remove(sqla.engine, "before_cursor_execute", hold)
    return outcome


def _clock() -> list[int]:
    return control.start_due(utcnow(), timedelta(hours=24))


def test_the_clock_publishes_first_and_a_late_unschedule_changes_nothing(
    app, db, editor, worker, sink
):
    people = subscribers(db, 12)
    edition_id = _due_edition(editor)

    outcome = _race(app, first=_clock, second=lambda: editions.unschedule(edition_id))

    assert outcome["first"] == [edition_id]
    assert isinstance(outcome["second"], EditionError)
    assert "niet meer ingepland" in str(outcome["second"])
    done = wait_for_state(app, edition_id, EditionState.sent)
    assert done.scheduled_at is not None
    got = sorted(m.recipients[0] for m in sink.received if m.message()["List-Id"])
    assert got == sorted(p.email for p in people)  # its batches ran: everyone, once


def test_an_unschedule_first_keeps_the_clock_from_sending(app, db, editor, worker, broker, sink):
    subscribers(db, 12)
    edition_id = _due_edition(editor)

    outcome = _race(app, first=lambda: editions.unschedule(edition_id), second=_clock)

    assert outcome["second"] == []
    edition = sqla.session.get(Edition, edition_id)
    sqla.session.refresh(edition)
    assert edition.state == EditionState.draft and edition.state_note is None
    assert sqla.session.scalar(select(Delivery.id).where(Delivery.edition_id == edition_id)) is None
    broker.join(TRANSACTIONAL, timeout=15_000)
    worker.join()
    assert not sink.received  # no edition mail, and no "not sent" notice to the editors


def test_change_state_refuses_what_the_table_does_not_allow(app, db, editor):
    edition, _ = editions.create(SOURCE, editor.id)
    with pytest.raises(ValueError, match="not a transition"):
        states.change_state(edition.id, {EditionState.sent}, EditionState.draft)
