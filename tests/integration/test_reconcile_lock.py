"""The clock's reconcile runs in one process at a time (issue 28): a run may take minutes,
longer than the Redis lock that keeps two ticks from queueing it, and two overlapping runs
both saw a planned edition as due. The second run now sees the advisory lock and skips."""

from __future__ import annotations

import threading

import pytest

from newsletter.delivery import control
from newsletter.delivery import reconcile as reconciler
from newsletter.editions.models import Edition, EditionState
from newsletter.extensions import db as sqla
from tests.factories import subscribers
from tests.integration.test_edition_states import _due_edition


def test_a_second_reconcile_while_one_runs_does_nothing(app, db, editor, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("an advisory lock of PostgreSQL; SQLite lives on one machine")
    subscribers(db, 3)
    edition_id = _due_edition(editor)
    inside, release = threading.Event(), threading.Event()
    real_start_due = control.start_due

    def slow_start_due(*args):
        inside.set()
        assert release.wait(20), "the test never let the first run go on"
        return real_start_due(*args)

    monkeypatch.setattr(control, "start_due", slow_start_due)
    outcome: dict[str, reconciler.Report] = {}

    def first() -> None:
        with app.app_context():
            try:
                outcome["first"] = reconciler.reconcile()
            finally:
                sqla.session.remove()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert inside.wait(20), "the first run did not start"
        second = reconciler.reconcile()
    finally:
        release.set()
        thread.join(30)
    assert second.skipped and second.started == []
    assert outcome["first"].started == [edition_id]
    db.session.expire_all()
    assert db.session.get(Edition, edition_id).state == EditionState.sending
    assert not reconciler.reconcile().skipped  # the lock went with the first run
