"""The reconciler: the ledger is the truth, the queue only a means.

Every clock tick (and on `flask editions resume ID`) it looks at each edition that is sending
and queues again whatever has no message: a batch whose worker was killed (its lease ran out),
a batch whose message vanished with Redis, a fan-out that died half-way. Extra messages are
harmless: rows are claimed with a lease, so one row never goes to two workers at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from newsletter.database import database_now, only_one
from newsletter.delivery import control, ledger, limits, snapshot
from newsletter.editions.models import Edition, EditionState
from newsletter.extensions import db


@dataclass
class Report:
    started: list[int] = field(default_factory=list)
    batches: int = 0
    fan_outs: int = 0
    completed: list[int] = field(default_factory=list)
    #: another process was reconciling: this run did nothing
    skipped: bool = False


#: the clock's reconcile runs in one process at a time (PostgreSQL advisory lock)
LOCK = "ravijn:reconcile"


def reconcile(edition_id: int | None = None, *, force: bool = False) -> Report:
    """Start due editions, then requeue stranded work; `force` ignores the queued marks.

    The clock's run (all editions) holds an advisory lock: the clock's Redis lock only keeps
    two ticks from queueing it in one interval, and a run can take longer than that. Two
    runs at once both saw a planned edition as due; the loser's publish failed, and it mailed
    every eindredacteur "Niet verzonden" while the edition was going out. One edition's
    reconcile (on resume) only requeues, which is harmless twice, and takes no lock."""
    if edition_id is not None:
        return _reconcile(edition_id, force)
    with only_one(db.engine, LOCK) as mine:
        return _reconcile(None, force) if mine else Report(skipped=True)


def _reconcile(edition_id: int | None, force: bool) -> Report:
    settings = current_app.config["SETTINGS"]
    report = Report()
    if edition_id is None:
        report.started = control.start_due(
            database_now(db.session), timedelta(hours=settings.schedule_max_delay_hours)
        )
    query = select(Edition.id, Edition.snapshot_done).where(Edition.state == EditionState.sending)
    if edition_id is not None:
        query = query.where(Edition.id == edition_id)
    sending = db.session.execute(query).all()
    db.session.commit()
    for eid, snapshot_done in sending:
        if not snapshot_done and not snapshot.fan_out_running(eid):
            snapshot.queue_fan_out(eid)
            db.session.commit()
            report.fan_outs += 1
        report.batches += _requeue_batches(eid, force)
        if control.complete_if_done(eid):
            report.completed.append(eid)
    return report


def _requeue_batches(edition_id: int, force: bool) -> int:
    batches = ledger.stranded_batches(edition_id)
    keys = [limits.batch_key(edition_id, b) for b in batches]
    queued = [False] * len(keys) if force else limits.queued(keys)
    missing = [b for b, is_queued in zip(batches, queued, strict=True) if not is_queued]
    for batch_no in missing:
        snapshot.queue_batch(edition_id, batch_no)
    db.session.commit()
    return len(missing)
