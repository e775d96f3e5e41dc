"""Writing what receivers should hear, in the transaction that caused it: the owner of a
reader's state (or of an edition's) calls `emit` before its commit, and the worker's message
leaves only after that commit. A rollback leaves no delivery and no message."""

from __future__ import annotations

import json
import secrets

from sqlalchemy import delete, select

from newsletter.database import utcnow
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.webhooks.models import Webhook, WebhookDelivery

EVENTS = {
    "reader.confirmed": "een lezer heeft de aanmelding bevestigd (of is terug)",
    "reader.unsubscribed": "een lezer heeft zich afgemeld",
    "reader.bounced": "het adres van een lezer werkt niet meer",
    "reader.complained": "een lezer heeft de nieuwsbrief als spam gemeld",
    "reader.erased": "een lezer is gewist (zonder adres in het bericht)",
    "edition.sent": "een editie is verzonden",
}


def emit(event: str, data: dict[str, object], reader_id: str | None = None) -> int:
    """A delivery per enabled receiver of `event`; the caller commits. Returns how many."""
    if event not in EVENTS:
        raise KeyError(event)
    wanted = [
        hook_id
        for hook_id, events in db.session.execute(
            select(Webhook.id, Webhook.events).where(Webhook.enabled)
        )
        if event in events.split()
    ]
    if not wanted:
        return 0
    now = utcnow()
    payload = json.dumps(
        {"type": event, "timestamp": now.isoformat(), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    for hook_id in wanted:
        delivery = WebhookDelivery(
            webhook_id=hook_id,
            message_id="msg_" + secrets.token_urlsafe(18),
            event=event,
            reader_id=reader_id,
            payload=payload,
            created_at=now,
        )
        db.session.add(delivery)
        db.session.flush()
        enqueue_after_commit("deliver_webhook", delivery.id)
    return len(wanted)


def forget_reader(reader_id: str) -> None:
    """At erasure: earlier payloads about this reader go too (the caller commits)."""
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.reader_id == reader_id))
