"""Freezing the audience into the ledger, one batch at a time, and queueing the batches.

The snapshot pages through subscribers by id (keyset pagination) with INSERT … SELECT, so no
subscriber list is ever held in memory, and each page is committed as one batch; its message
leaves with that commit. A fan-out that dies half-way resumes after the highest id written.
"""

from __future__ import annotations

import logging

from flask import current_app

from newsletter import jobs
from newsletter.counts import links as counted_links
from newsletter.delivery import ledger, limits
from newsletter.editions import services as editions
from newsletter.editions import states
from newsletter.editions.models import Edition, EditionState
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.subscribers import segments

log = logging.getLogger(__name__)
LOCK_SECONDS = 120


def queue_batch(edition_id: int, batch_no: int, delay: float | None = None) -> None:
    """Queue one batch message with the caller's next commit; its Redis mark says it waits."""
    enqueue_after_commit(
        jobs.SEND_BATCH,
        edition_id,
        batch_no,
        delay=delay,
        marker=limits.batch_key(edition_id, batch_no),
    )


def queue_fan_out(edition_id: int) -> None:
    enqueue_after_commit(jobs.FAN_OUT, edition_id)


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
        if counted_links.enabled(rendered := editions.render(edition)):
            counted_links.store(edition_id, rendered)  # /l/… works before the first mail
        return _write(edition_id, segments.resolve(edition.segment), edition.snapshot_at)
    finally:
        limits.forget(lock)


def _write(edition_id: int, segment: segments.Segment, snapshot_at) -> int:
    size = current_app.config["SETTINGS"].batch_size
    batch_no, last_id = ledger.position(edition_id)
    written = 0
    while True:
        ids = ledger.write_batch(edition_id, segment, snapshot_at, last_id, batch_no + 1, size)
        if ids:
            batch_no += 1
            last_id = max(ids)
            queue_batch(edition_id, batch_no)
            db.session.commit()  # the rows, then their message
            limits.client().expire(limits.fanout_key(edition_id), LOCK_SECONDS)
            written += 1
        if len(ids) < size:
            break
        if states.state_of(edition_id) == EditionState.cancelled:
            return written
    total = ledger.count(edition_id)
    editions.snapshot_finished(edition_id, total)
    db.session.commit()
    log.info("edition %s: snapshot of %s readers in %s batches", edition_id, total, batch_no)
    return written
