"""Who received an edition and who bounced; and, for a reader's page, which editions one reader
was sent. Addresses come from subscribers.queries, the ledger's rows from ledger.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from newsletter.delivery import ledger
from newsletter.delivery.ledger import DeliveryState
from newsletter.subscribers import queries

LIMIT = 1000


def label(state: DeliveryState, error: str | None) -> str:
    if state == DeliveryState.failed:
        bounced = bool(error) and (error.startswith("5") or error.startswith("DSN"))
        return "gebounced (adres werkt niet)" if bounced else "mislukt"
    return {
        DeliveryState.sent: "afgeleverd bij de mailserver",
        DeliveryState.skipped: "overgeslagen (afgemeld)",
        DeliveryState.pending: "nog te verzenden",
    }.get(state, str(state))


@dataclass(frozen=True)
class Received:
    edition_id: int
    title: str
    outcome: str
    at: datetime | None


def received(subscriber_id: int) -> list[Received]:
    return [
        Received(r.id, r.title or "(zonder titel)", label(r.state, r.error), r.sent_at)
        for r in ledger.received_by(subscriber_id)
    ]


@dataclass(frozen=True)
class Recipient:
    subscriber_id: int | None
    name: str
    email: str
    outcome: str
    at: datetime | None


def of_edition(edition_id: int, failed_only: bool = False) -> list[Recipient]:
    rows = ledger.rows_of(edition_id, failed_only, LIMIT)
    known = queries.subscribers_by_id([r.subscriber_id for r in rows if r.subscriber_id])
    result = []
    for r in rows:
        subscriber = known.get(r.subscriber_id) if r.subscriber_id else None
        result.append(
            Recipient(
                r.subscriber_id,
                subscriber.name if subscriber else "(gewist)",
                subscriber.email if subscriber else "",
                label(r.state, r.error),
                r.sent_at,
            )
        )
    return result
