"""The rules every change of a subscriber follows: where each event leads, one guarded
UPDATE per change, and the consent event written with it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from newsletter import metrics
from newsletter.database import utcnow
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


def change_state(subscriber_id: int, allowed: Iterable[SubscriberState], **values: object) -> bool:
    """One guarded UPDATE: True when this call made the change (a double click changes nothing)."""
    result = db.session.execute(
        update(Subscriber)
        .where(Subscriber.id == subscriber_id, Subscriber.state.in_(list(allowed)))
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


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
