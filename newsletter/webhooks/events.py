"""Writing what receivers should hear, in the transaction that caused it: the owner of a
reader's state (or of an edition's) calls `emit` before its commit, and the worker's message
leaves only after that commit. A rollback leaves no delivery and no message."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from newsletter import jobs
from newsletter.database import database_now
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.webhooks.models import Webhook, WebhookDelivery, WebhookDeliveryState

CLAIM_SECONDS = 120  # how long an attempt may hold its delivery (sender.CLAIM)
EVENTS = {
    "reader.confirmed": "een lezer heeft de aanmelding bevestigd (of is terug)",
    "reader.unsubscribed": "een lezer heeft zich afgemeld",
    "reader.bounced": "het adres van een lezer werkt niet meer",
    "reader.complained": "een lezer heeft de nieuwsbrief als spam gemeld",
    "reader.erased": "een lezer is gewist (zonder adres in het bericht)",
    "edition.sent": "een editie is verzonden",
}


def emit(
    event: str,
    data: dict[str, object],
    reader_id: str | None = None,
    *,
    after: datetime | None = None,
) -> int:
    """A delivery per enabled receiver of `event` (not before `after`); the caller commits.
    Returns how many."""
    return emit_many(event, [(data, reader_id)], after=after)


def emit_many(
    event: str, items: list[tuple[dict[str, object], str | None]], *, after: datetime | None = None
) -> int:
    """`emit` for many readers at once (an import): the receivers are looked up once."""
    if event not in EVENTS:
        raise KeyError(event)
    wanted = [
        hook_id
        for hook_id, events in db.session.execute(
            select(Webhook.id, Webhook.events).where(Webhook.enabled)
        )
        if event in events.split()
    ]
    if not wanted or not items:
        return 0
    now = database_now(db.session)
    delay = (after - now).total_seconds() if after and after > now else None
    made = []
    for data, reader_id in items:
        payload = json.dumps(
            {"type": event, "timestamp": now.isoformat(), "data": data},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        made += [
            WebhookDelivery(
                webhook_id=hook_id,
                message_id="msg_" + secrets.token_urlsafe(18),
                event=event,
                reader_id=reader_id,
                payload=payload,
                created_at=now,
                next_attempt_at=after if delay else None,
            )
            for hook_id in wanted
        ]
    db.session.add_all(made)
    db.session.flush()
    for delivery in made:
        enqueue_after_commit(jobs.DELIVER_WEBHOOK, delivery.id, delay=delay)
    return len(made)


def forget_subscriber(reader_id: str) -> datetime | None:
    """At erasure: earlier payloads about this reader go too (the caller commits). Returns
    when an attempt already under way will be over (None: none is), so that the erasure's
    own event is sent after it and a receiver never hears of the person after the erasure."""
    now = database_now(db.session)
    gone = db.session.execute(
        delete(WebhookDelivery)
        .where(WebhookDelivery.reader_id == reader_id)
        .returning(WebhookDelivery.state, WebhookDelivery.attempts, WebhookDelivery.next_attempt_at)
    ).all()  # what was deleted, as it was then: no claim can slip in between
    busy = max(
        (at for state, attempts, at in gone
         if state == WebhookDeliveryState.pending and attempts > 0 and at is not None and at > now),
        default=None,
    )  # fmt: skip
    # a claim ends at most CLAIM_SECONDS from now; a later time is a retry that now never comes
    return min(busy, now + timedelta(seconds=CLAIM_SECONDS)) if busy else None
