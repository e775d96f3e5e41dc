"""Imports whose worker stopped. A worker killed in the middle of an import (or whose machine
went away) left its job "Bezig" until Dramatiq redelivered the message, and for ever if Redis
lost it. So a running import beats: every BEAT_SECONDS it writes the database's time on its job,
in a transaction of its own (the import's own stays open until the end: all or nothing). The
clock's reconcile ends a running job without a beat for STALE_SECONDS, by the database's clock,
as "Mislukt" (`uploads.end_stale`). Its import died with its transaction: nothing was stored.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, update
from sqlalchemy.exc import SQLAlchemyError

from newsletter.extensions import db
from newsletter.subscribers.models import ImportJob, ImportState

log = logging.getLogger(__name__)

BEAT_SECONDS = 30
STALE_SECONDS = 10 * 60
#: the worker's limit for one import (workers/actors.py); a job started by a release without
#: heartbeats is judged by its start
TIME_LIMIT_SECONDS = 3600
STOPPED = (
    "De import is gestopt: de verwerking gaf tien minuten geen teken van leven. Er is niets "
    "opgeslagen. Upload het bestand opnieuw."
)


class Heartbeat:
    """Call it as often as you like (after each chunk): it beats at most every BEAT_SECONDS."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last = time.monotonic()

    def __call__(self) -> None:
        if time.monotonic() - self.last >= BEAT_SECONDS:
            self.last = time.monotonic()
            beat(self.job_id)


def beat(job_id: int) -> None:
    if db.engine.dialect.name != "postgresql":
        return  # SQLite: one writer at a time, and the import is it; one machine anyway
    table = ImportJob.__table__
    try:
        with db.engine.begin() as connection:
            connection.execute(
                update(table)
                .where(table.c.id == job_id, table.c.state == ImportState.running)
                .values(heartbeat_at=func.timezone("UTC", func.statement_timestamp()))
            )
    except SQLAlchemyError:  # a missed beat costs nothing yet; the import goes on
        log.warning("import %s: heartbeat not written", job_id, exc_info=True)


def stale(now: datetime) -> ColumnElement[bool]:
    """Running, and silent since `now` - STALE_SECONDS (`now`: the database's time)."""
    silent = now - timedelta(seconds=STALE_SECONDS)
    return and_(
        ImportJob.state == ImportState.running,
        or_(
            ImportJob.heartbeat_at < silent,
            and_(
                ImportJob.heartbeat_at.is_(None),
                ImportJob.created_at < silent - timedelta(seconds=TIME_LIMIT_SECONDS),
            ),
        ),
    )
