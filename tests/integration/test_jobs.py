"""Mail leaves only after the commit that caused it."""

import pytest

from newsletter import jobs
from newsletter.jobs import enqueue_after_commit
from tests.factories import make_subscriber

#: SQL that PostgreSQL and SQLite may treat differently: run on both (docs/testing.md#tiers)
pytestmark = pytest.mark.dialect


def _queued(broker) -> int:
    return broker.client.llen(f"dramatiq:{jobs.SEND_CONFIRMATION.queue}")


def test_rollback_sends_nothing(app, broker, db, paused_worker):
    sub = make_subscriber(db)
    enqueue_after_commit(jobs.SEND_CONFIRMATION, sub.id)
    assert _queued(broker) == 0
    db.session.rollback()
    assert _queued(broker) == 0
    db.session.commit()  # a later commit must not resurrect the dropped message
    assert _queued(broker) == 0


def test_commit_sends_once(app, broker, db, paused_worker):
    sub = make_subscriber(db)
    enqueue_after_commit(jobs.SEND_CONFIRMATION, sub.id)
    assert _queued(broker) == 0
    db.session.commit()
    assert _queued(broker) == 1
    db.session.commit()
    assert _queued(broker) == 1


def test_a_batch_marker_outlives_its_message_by_five_leases_at_most(app, broker, db, paused_worker):
    """A marker whose message was lost (a Redis failover) must not hide its batch from the
    reconciler for longer than that (docs/operations.md#redis)."""
    marker = "ravijn:test:batch-marker"
    app.extensions["redis"].delete(marker)
    enqueue_after_commit(jobs.SEND_BATCH, 1, 0, marker=marker)
    db.session.commit()
    lease = app.config["SETTINGS"].lease_seconds
    assert 0 < app.extensions["redis"].ttl(marker) <= jobs.MARKER_LEASES * lease <= 600
    app.extensions["redis"].delete(marker)


def test_messages_carry_ids_only(app, db):
    import pytest

    with pytest.raises(TypeError):
        enqueue_after_commit(jobs.SEND_CONFIRMATION, "anna@x.example")
    with pytest.raises(TypeError, match="declared Job"):
        enqueue_after_commit("send_confirmation", 1)


def test_consent_log_is_append_only(app, db):
    import pytest

    from newsletter.subscribers.models import ConsentEvent, ConsentKind, ConsentSource

    sub = make_subscriber(db)
    event = ConsentEvent(
        subscriber_id=sub.id, kind=ConsentKind.requested, source=ConsentSource.form
    )
    db.session.add(event)
    db.session.commit()
    event.kind = ConsentKind.confirmed
    with pytest.raises(ValueError, match="append-only"):
        db.session.commit()
    db.session.rollback()
