"""Freezing the audience into the ledger, one batch at a time, and queueing the batches.

The snapshot pages through subscribers by id (keyset pagination) with INSERT … SELECT, so no
subscriber list is ever held in memory, and each page is committed as one batch before its
message is queued. A fan-out that dies half-way resumes after the highest id already written.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import func, insert, literal, select

from newsletter.delivery import audience, limits
from newsletter.delivery.models import Delivery, DeliveryState
from newsletter.editions.models import Edition, EditionState
from newsletter.extensions import db
from newsletter.jobs import send_now
from newsletter.subscriptions.models import Subscriber

log = logging.getLogger(__name__)
LOCK_SECONDS = 120


def queue_batch(edition_id: int, batch_no: int, delay: float | None = None) -> None:
    """Queue one batch message (always after the commit that wrote or released its rows)."""
    key = limits.batch_key(edition_id, batch_no)
    limits.mark_queued(key)
    try:
        send_now(current_app, "send_batch", edition_id, batch_no, delay=delay)
    except Exception:
        limits.forget(key)  # so the reconciler sees that this batch has no message
        raise


def queue_fan_out(edition_id: int) -> None:
    send_now(current_app, "fan_out", edition_id)


def fan_out_running(edition_id: int) -> bool:
    return bool(limits.client().exists(limits.fanout_key(edition_id)))


def fan_out(edition_id: int) -> int:
    """Write the ledger for a published edition; returns the number of batches written now."""
    edition = db.session.get(Edition, edition_id)
    if edition is None or edition.snapshot_done or edition.snapshot_at is None:
        return 0
    if edition.state not in (EditionState.sending, EditionState.paused):
        return 0
    lock = limits.fanout_key(edition_id)
    if not limits.client().set(lock, "1", nx=True, ex=LOCK_SECONDS):
        return 0  # another worker is writing this snapshot
    try:
        return _write(edition)
    finally:
        limits.forget(lock)


def _write(edition: Edition) -> int:
    size = current_app.config["SETTINGS"].batch_size
    where = audience.conditions(audience.resolve(edition.segment), edition.snapshot_at)
    last_batch, last_id = db.session.execute(
        select(func.max(Delivery.batch_no), func.max(Delivery.subscriber_id)).where(
            Delivery.edition_id == edition.id
        )
    ).one()
    batch_no, last_id, written = last_batch or 0, last_id or 0, 0
    edition_id = edition.id
    while True:
        page = (
            select(
                literal(edition_id),
                Subscriber.id,
                literal(batch_no + 1),
                literal(DeliveryState.pending.value),
                literal(0),
            )
            .where(*where, Subscriber.id > last_id)
            .order_by(Subscriber.id)
            .limit(size)
        )
        columns = ["edition_id", "subscriber_id", "batch_no", "state", "attempts"]
        written_ids = db.session.scalars(
            insert(Delivery).from_select(columns, page).returning(Delivery.subscriber_id)
        ).all()  # at most one batch of ids: memory stays flat
        inserted = len(written_ids)
        if inserted:
            batch_no += 1
            last_id = max(written_ids)
            db.session.commit()
            queue_batch(edition_id, batch_no)
            limits.client().expire(limits.fanout_key(edition_id), LOCK_SECONDS)
            written += 1
        if inserted < size:
            break
        state = db.session.scalar(select(Edition.state).where(Edition.id == edition_id))
        if state == EditionState.cancelled:
            db.session.commit()
            return written
    total = db.session.scalar(
        select(func.count(Delivery.id)).where(Delivery.edition_id == edition_id)
    )
    edition = db.session.get(Edition, edition_id)
    edition.snapshot_done, edition.recipient_count = True, total
    db.session.commit()
    log.info("edition %s: snapshot of %s readers in %s batches", edition_id, total, batch_no)
    return written
