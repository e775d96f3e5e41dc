"""The one writer of subscriber state: for every sequence of operations on one address, the
subscriber's consent events replay to its current state (the AVG trail is complete)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from newsletter.auth.audit import CLI
from newsletter.auth.models import AuditEvent
from newsletter.database import utcnow
from newsletter.subscribers import lifecycle, privacy
from newsletter.subscribers.addresses import normalise_email
from newsletter.subscribers.lifecycle.imports import ImportRow
from newsletter.subscribers.models import (
    ConsentEvent,
    ConsentSource,
    Role,
    Subscriber,
    SubscriberState,
    Suppression,
)

#: SQL that PostgreSQL and SQLite may treat differently: run on both (docs/testing.md#tiers)
pytestmark = pytest.mark.dialect

EMAIL = normalise_email("Lezer@Gemeente.example")
OPERATIONS = (
    "sign_up",
    "confirm",
    "change_preferences",
    "unsubscribe",
    "relay_bounce",
    "reported_bounce",
    "complain",
    "import_with_proof",
    "import_without_proof",
    "erase",
    "purge",
)


def _current() -> Subscriber | None:
    from newsletter.extensions import db

    db.session.expire_all()
    return lifecycle.by_key(EMAIL.key)


def _import(proof: bool) -> None:
    from newsletter.extensions import db

    row = ImportRow(
        2,
        "Lezer Import",
        EMAIL,
        "GM0344",
        Role.raadslid,
        utcnow() - timedelta(days=3) if proof else None,
        "ledenlijst" if proof else None,
    )
    lifecycle.import_chunk([row], lifecycle.ImportCounts())
    db.session.commit()


def apply(operation: str, step: int) -> None:
    subscriber = _current()
    if operation == "sign_up":
        request = lifecycle.SignupRequest(EMAIL, f"Lezer {step}", "GM0363", Role.wethouder, None)
        lifecycle.request_signup(request, interval=0)
    elif operation.startswith("import"):
        _import(operation == "import_with_proof")
    elif operation == "purge":
        lifecycle.purge_expired(utcnow() + timedelta(days=30), 72 * 3600, CLI)
    elif subscriber is None:
        return  # nothing to act on: the operation has no subject
    elif operation == "confirm":
        lifecycle.confirm(subscriber.public_id, subscriber.confirm_nonce)
    elif operation == "change_preferences":
        change = lifecycle.ProfileChange(f"Naam {step}", "GM0344", Role.griffier)
        lifecycle.change_preferences(subscriber.public_id, change)
    elif operation == "unsubscribe":
        lifecycle.unsubscribe(subscriber.public_id, ConsentSource.one_click)
    elif operation == "relay_bounce":
        lifecycle.refused_by_relay(subscriber.id, "550")
    elif operation == "reported_bounce":
        lifecycle.bounce_reported(subscriber.id, "5.1.1")
    elif operation == "complain":
        lifecycle.complain(subscriber.id, "ARF-rapport")
    elif operation == "erase":
        privacy.erase(EMAIL.address, CLI)


def _events(subscriber_id: int) -> list:
    from newsletter.extensions import db

    return list(
        db.session.scalars(
            select(ConsentEvent.kind)
            .where(ConsentEvent.subscriber_id == subscriber_id)
            .order_by(ConsentEvent.id)
        )
    )


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=12))
def test_events_replay_to_the_current_state(app, db, paused_worker, sequence):
    for table in (ConsentEvent, Subscriber, Suppression, AuditEvent):
        db.session.execute(delete(table))
    db.session.commit()
    erased = 0
    for step, operation in enumerate(sequence):
        before = _current()
        apply(operation, step)
        subscriber = _current()
        if subscriber is None:
            assert db.session.scalar(select(func.count()).select_from(ConsentEvent)) == 0
            if before is not None and operation == "erase":
                erased += 1
            continue
        assert lifecycle.replay(_events(subscriber.id)) == subscriber.state, (sequence, step)
    # every erasure left an audit line, never the address
    erasures = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "erase")))
    assert len(erasures) == erased
    assert all(EMAIL.key not in e.detail for e in erasures)


def test_replay_rules():
    kinds = lifecycle.ConsentKind
    assert lifecycle.replay([]) is None
    assert lifecycle.replay([kinds.requested]) == SubscriberState.pending
    assert lifecycle.replay([kinds.requested, kinds.confirmed]) == SubscriberState.active
    left = [kinds.requested, kinds.confirmed, kinds.unsubscribed, kinds.requested]
    assert lifecycle.replay(left) == SubscriberState.unsubscribed
    assert lifecycle.replay([*left, kinds.resubscribed, kinds.bounced]) == SubscriberState.bounced
    assert lifecycle.replay([kinds.confirmed, kinds.complained]) == SubscriberState.complained
