"""Transactional mail is a row in the mail outbox, written with the data that causes it: a lost
message loses no mail, and two messages for one row send it once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from newsletter import jobs, mail_outbox
from newsletter.jobs import enqueue_after_commit
from newsletter.mail_outbox import MailOutbox
from tests.factories import make_subscriber
from tests.helpers import wait_until

#: the lease compares with the database's clock: run on both (docs/testing.md#tiers)
pytestmark = pytest.mark.dialect


def _rows(db) -> list[MailOutbox]:
    rows = list(db.session.scalars(select(MailOutbox).order_by(MailOutbox.id)))
    db.session.commit()
    return rows


def test_the_row_is_written_with_the_data_and_goes_with_a_rollback(app, broker, db,
                                                                 paused_worker):  # fmt: skip
    sub = make_subscriber(db, state="pending")
    enqueue_after_commit(jobs.SEND_CONFIRMATION, sub.id)
    db.session.rollback()
    assert _rows(db) == []
    sub = make_subscriber(db, state="pending")
    enqueue_after_commit(jobs.SEND_CONFIRMATION, sub.id)
    db.session.commit()
    (row,) = _rows(db)
    assert (row.job, row.args, row.state) == ("send_confirmation", f"[{sub.id}]", "pending")
    # the message names the row, not the reader
    assert broker.client.llen(f"dramatiq:{jobs.TRANSACTIONAL}") == 1


def test_two_messages_for_one_row_send_one_mail(app, db, worker, sink):
    sub = make_subscriber(db, "twee@x.example", state="pending")
    enqueue_after_commit(jobs.SEND_CONFIRMATION, sub.id)
    db.session.commit()
    (row,) = _rows(db)
    for _ in range(3):  # a redelivery, the clock's nudge and one more
        jobs.nudge_after_commit(jobs.SEND_CONFIRMATION, row.id)
    db.session.commit()
    sink.wait_for(1)
    assert [r.recipients for r in sink.settle(1.0)] == [["twee@x.example"]]
    (row,) = _rows(db)
    assert (row.state, row.attempts, row.holder is not None) == ("sent", 1, True)


def test_a_mail_whose_message_was_lost_is_nudged_by_the_clock(app, broker, db, worker, sink):
    worker.pause()
    try:
        sub = make_subscriber(db, "kwijt@x.example", state="pending")
        enqueue_after_commit(jobs.SEND_CONFIRMATION, sub.id)
        db.session.commit()
        broker.flush_all()  # Redis lost everything
        assert mail_outbox.sweep(lost_after=60) == []  # not yet lost: it may be on its way
        nudged = mail_outbox.sweep(lost_after=-5)  # due 5 s in the future counts too
        assert nudged == [("send_confirmation", _rows(db)[0].id)]
        for name, row_id in nudged:
            jobs.nudge_after_commit(jobs.BY_NAME[name], row_id)
        db.session.commit()
    finally:
        worker.resume()
    assert [r.recipients for r in sink.wait_for(1)] == [["kwijt@x.example"]]
    # the worker marks the row after the relay's 250, a moment after the sink has the mail
    wait_until(lambda: [row.state for row in _rows(db)] == ["sent"], 10, "the row marked sent")


def test_a_mail_no_longer_due_is_skipped_not_sent(app, db, worker, sink):
    sub = make_subscriber(db, "actief@x.example", state="active")
    enqueue_after_commit(jobs.SEND_CONFIRMATION, sub.id)  # a confirmed reader gets none
    db.session.commit()
    worker.join()
    from newsletter.jobs import TRANSACTIONAL

    worker.broker.join(TRANSACTIONAL, timeout=10_000)
    assert sink.settle(0.5) == []
    assert [row.state for row in _rows(db)] == ["skipped"]


def test_a_claim_holds_against_another_message_until_it_runs_out(app, db, paused_worker):
    """The claims by hand: the session's worker must not take the message first."""
    sub = make_subscriber(db, state="pending")
    enqueue_after_commit(jobs.SEND_CONFIRMATION, sub.id)
    db.session.commit()
    (row,) = _rows(db)
    assert mail_outbox.claim(row.id, "bericht-1") == ((sub.id,), 1)
    assert mail_outbox.claim(row.id, "bericht-2") is None  # held
    assert 100 < mail_outbox.due_in(row.id) <= mail_outbox.LEASE_SECONDS
    # the same message again (after an outage, or redelivered when its worker died)
    assert mail_outbox.claim(row.id, "bericht-1") == ((sub.id,), 2)
    mail_outbox.release(row.id, "bericht-1", "relay weg")
    assert mail_outbox.due_in(row.id) is None
    assert mail_outbox.claim(row.id, "bericht-2") == ((sub.id,), 3)
    mail_outbox.finish(row.id, "bericht-2", mail_outbox.SENT)
    assert mail_outbox.claim(row.id, "bericht-1") is None
    assert mail_outbox.due_in(row.id) is None
    assert mail_outbox.waiting() == 0
