"""The rules every change of a subscriber follows: where each event leads, the one writer of a
reader's state (`change_state`, one guarded UPDATE conditional on the state it expects, along
`TRANSITIONS`), and the consent event written with it. See
docs/architecture.md#one-writer-per-state."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from newsletter import metrics
from newsletter.database import StateWriter
from newsletter.extensions import db
from newsletter.subscribers.consent import CONSENT_VERSION, consent_sha256
from newsletter.subscribers.models import (
    ConsentEvent,
    ConsentKind,
    ConsentSource,
    Subscriber,
    SubscriberState,
)
from newsletter.webhooks import events as webhook_events

S = SubscriberState

#: where each kind of event leads; None: the state stays as it was
LEADS_TO: dict[ConsentKind, SubscriberState | None] = {
    ConsentKind.requested: None,  # a new subscriber starts pending; a known one stays put
    ConsentKind.confirmed: S.active,
    ConsentKind.resubscribed: S.active,
    ConsentKind.preferences_changed: None,
    ConsentKind.unsubscribed: S.unsubscribed,
    ConsentKind.bounced: S.bounced,
    ConsentKind.complained: S.complained,
}
#: what other systems hear of (outgoing webhooks), in the same transaction as the event
TOLD: dict[ConsentKind, str] = {
    ConsentKind.confirmed: "reader.confirmed",
    ConsentKind.resubscribed: "reader.confirmed",
    ConsentKind.unsubscribed: "reader.unsubscribed",
    ConsentKind.bounced: "reader.bounced",
    ConsentKind.complained: "reader.complained",
}
#: states from which a fresh double opt-in may bring someone back
CAN_CONFIRM = (S.pending, S.unsubscribed, S.bounced, S.complained)
#: from → the states it may go to; a write that keeps the state needs no entry. A new reader
#: starts pending (or active, with proof of consent); leaving, a bounce of an active reader or
#: a complaint ends it; a fresh opt-in (or "Toch weer aanmelden") brings them back
TRANSITIONS: dict[SubscriberState, frozenset[SubscriberState]] = {
    S.pending: frozenset({S.active, S.unsubscribed, S.complained}),
    S.active: frozenset({S.unsubscribed, S.bounced, S.complained}),
    S.unsubscribed: frozenset({S.active, S.complained}),
    S.bounced: frozenset({S.active, S.unsubscribed, S.complained}),
    S.complained: frozenset({S.active, S.unsubscribed}),
}


def replay(kinds: Iterable[ConsentKind]) -> SubscriberState | None:
    """The state a subscriber's events lead to, oldest first (None: no events, no subscriber)."""
    state: SubscriberState | None = None
    for kind in kinds:
        state = LEADS_TO[kind] or state or S.pending
    return state


class UnknownSubscriber(LookupError):
    """No subscriber behind this (validly signed) token any more, e.g. after erasure."""


def add_event(
    subscriber_id: int, kind: ConsentKind, source: ConsentSource, **extra: str | int | None
) -> None:
    metrics.subscriber_event(db.session(), kind.value)  # counted when this transaction commits
    db.session.add(
        ConsentEvent(
            subscriber_id=subscriber_id,
            kind=kind,
            source=source,
            consent_version=CONSENT_VERSION,
            consent_sha256=consent_sha256(),
            **extra,
        )
    )
    if kind in TOLD:
        _tell(subscriber_id, kind, source)


def _tell(subscriber_id: int, kind: ConsentKind, source: ConsentSource) -> None:
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None:
        return
    payload = {
        "id": subscriber.public_id,
        "email": subscriber.email,
        "name": subscriber.name,
        "gemeente_code": subscriber.gemeente_code,
        "role": subscriber.role.value,
        "state": LEADS_TO[kind].value,  # type: ignore[union-attr]
    }
    told = {"reader": payload, "source": source.value}
    webhook_events.emit(TOLD[kind], told, subscriber.public_id)


#: one guarded UPDATE (the caller commits), stamping updated_at: only while the reader is in
#: one of the `expected` states and `where` holds; without `state` it writes other columns under
#: the same guard. False when another writer came first (a double click changes nothing).
change_state = StateWriter(Subscriber, TRANSITIONS, lambda: db.session, stamp="updated_at")


def by_key(email_key: str) -> Subscriber | None:
    return db.session.scalar(select(Subscriber).where(Subscriber.email_key == email_key))


def get_by_public_id(public_id: str) -> Subscriber:
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.public_id == public_id))
    if subscriber is None:
        raise UnknownSubscriber(public_id)
    return subscriber


def insert_new(subscriber: Subscriber) -> bool:
    """Adds a new reader and flushes it for its id. False, with the session rolled back, when
    another request registered the same address at the same moment (the unique email_key)."""
    db.session.add(subscriber)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    return True
