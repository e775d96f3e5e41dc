"""What other packages may read about subscribers: plain values, never the model to write on.

Delivery sends to subscribers and counts what they did after an edition; it asks here, and it
changes a subscriber only through `lifecycle` (an import-linter contract keeps it that way).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select

from newsletter.extensions import db
from newsletter.subscribers.addresses import InvalidEmail, normalise_email
from newsletter.subscribers.models import ConsentEvent, ConsentKind, Subscriber, SubscriberState


@dataclass(frozen=True)
class SubscriberContact:
    id: int
    email: str
    name: str
    public_id: str
    active: bool  # only active subscribers get an edition; the others are skipped


def subscribers_by_id(ids: list[int]) -> dict[int, SubscriberContact]:
    rows = db.session.execute(
        select(
            Subscriber.id,
            Subscriber.email,
            Subscriber.name,
            Subscriber.public_id,
            Subscriber.state,
        ).where(Subscriber.id.in_(ids))
    )
    return {
        r.id: SubscriberContact(
            r.id, r.email, r.name, r.public_id, r.state == SubscriberState.active
        )
        for r in rows
    }


def id_for_address(address: str) -> int | None:
    """The subscriber behind an address as a DSN reports it (any case), or None."""
    try:
        key = normalise_email(address).key
    except InvalidEmail:
        return None
    return db.session.scalar(select(Subscriber.id).where(Subscriber.email_key == key))


def unsubscribed_among(subscriber_ids: Select, start: datetime, end: datetime) -> int:
    """How many of these subscribers unsubscribed between start and end."""
    return (
        db.session.scalar(
            select(func.count(ConsentEvent.id)).where(
                ConsentEvent.subscriber_id.in_(subscriber_ids),
                ConsentEvent.kind == ConsentKind.unsubscribed,
                ConsentEvent.occurred_at >= start,
                ConsentEvent.occurred_at < end,
            )
        )
        or 0
    )


def complaints_about(edition_id: int) -> int:
    """Spam complaints that proved they answer this edition (see delivery/bounces.py)."""
    return (
        db.session.scalar(
            select(func.count(ConsentEvent.id)).where(
                ConsentEvent.kind == ConsentKind.complained,
                ConsentEvent.detail.like(f"klacht over editie {int(edition_id)} %"),
            )
        )
        or 0
    )
