"""The mail outbox: a transactional mail is a row, written in the transaction that causes it.

`jobs.enqueue_after_commit` writes the row for a job declared with `outbox=True`; the message
that leaves after the commit only nudges a worker to send that row. Losing the message (Redis
flushed, failed over, down at the commit) loses no mail: the clock's `sweep` nudges again every
row that is due and was not sent after a while. A worker claims the row before it sends (a
lease, timed by the database's clock, never a machine's) and marks it after, so two nudges for
one row never send the mail twice; only a worker killed between the relay's "250" and the mark
can, once the lease has run out (at-least-once, as for an edition's mail).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Index,
    Integer,
    Interval,
    String,
    Text,
    delete,
    func,
    literal,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.database import UTCDateTime, utcnow
from newsletter.extensions import db

LEASE_SECONDS = 120  # longer than one try can last (a mail actor is stopped at 60 s)
KEEP = timedelta(days=7)  # sent and given-up rows stay this long, for the operator
PENDING, SENT, SKIPPED, FAILED = "pending", "sent", "skipped", "failed"


class MailOutbox(db.Model):
    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_state_next", "state", "next_try_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(40))  # the mail's job name (newsletter/jobs.py)
    args: Mapped[str] = mapped_column(String(200))  # its ids, as a JSON list
    #: pending, sent, skipped (no longer due when it was its turn) or failed (given up)
    state: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: pending: when it is due, or until when a worker's claim holds it (database time, UTC)
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    holder: Mapped[str | None] = mapped_column(String(40))  # the claim's name (a message id)
    last_error: Mapped[str | None] = mapped_column(Text())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def db_now(seconds: float = 0) -> ColumnElement[datetime]:
    """The database's now (plus `seconds`), naive UTC like the columns: every node compares
    against one clock. SQLite (development, a single machine) uses this process's clock."""
    if db.engine.dialect.name == "postgresql":
        now = func.timezone("UTC", func.now(), type_=DateTime())
        if seconds:
            now = now + literal(timedelta(seconds=seconds), Interval())
        return type_coerce(now, UTCDateTime())
    return literal(utcnow() + timedelta(seconds=seconds), UTCDateTime())


def add(job: str, ids: tuple[int, ...], delay: float | None) -> int:
    """The row for one mail, in the caller's transaction; returns its id."""
    row = MailOutbox(job=job, args=json.dumps(ids), next_try_at=db_now(delay or 0))
    db.session.add(row)
    db.session.flush()
    return row.id


def claim(row_id: int, holder: str) -> tuple[tuple[int, ...], int] | None:
    """Take the row for one try under the name `holder` (committed): (its ids, tries so far
    with this one), or None when it is sent, given up, not yet due, or held by another name.
    The worker names a claim after its message: the same message back (a retry after an
    outage, or the message of a worker that died, redelivered) takes its row back at once."""
    due = (
        MailOutbox.next_try_at.is_(None)
        | (MailOutbox.next_try_at <= db_now(2))
        | (MailOutbox.holder == holder)
    )
    taken = db.session.execute(
        update(MailOutbox)
        .where(MailOutbox.id == row_id, MailOutbox.state == PENDING, due)
        .values(next_try_at=db_now(LEASE_SECONDS), holder=holder, attempts=MailOutbox.attempts + 1)
        .returning(MailOutbox.args, MailOutbox.attempts)
        .execution_options(synchronize_session=False)
    ).first()
    db.session.commit()
    if taken is None:
        return None
    return tuple(json.loads(taken.args)), taken.attempts


def due_in(row_id: int) -> float | None:
    """Seconds until a pending row may be claimed (a claim runs out, or it is not due yet);
    None when it is finished, gone, or may be claimed now."""
    found = db.session.execute(
        select(MailOutbox.next_try_at, db_now()).where(
            MailOutbox.id == row_id, MailOutbox.state == PENDING
        )
    ).first()
    db.session.commit()
    if found is None or found[0] is None:
        return None
    wait = (found[0] - found[1]).total_seconds()
    return wait if wait > 0 else None


def finish(row_id: int, holder: str, state: str, error: str | None = None) -> None:
    """The end of a try that holds the claim (committed): sent, skipped or failed."""
    db.session.execute(
        update(MailOutbox)
        .where(MailOutbox.id == row_id, MailOutbox.holder == holder)
        .values(state=state, finished_at=db_now(), next_try_at=None, last_error=error)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def release(row_id: int, holder: str, error: str) -> None:
    """A try failed and another may follow at once (committed)."""
    db.session.execute(
        update(MailOutbox)
        .where(MailOutbox.id == row_id, MailOutbox.holder == holder)
        .values(next_try_at=db_now(), holder=None, last_error=error[:500])
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def sweep(lost_after: float, limit: int = 1000) -> list[tuple[str, int]]:
    """Rows due for `lost_after` s and not claimed (their message was lost, or a claim ran
    out) are due again from now; returns (job, row id) to nudge once the caller commits.
    Finished rows older than a week go."""
    stale = (MailOutbox.state == PENDING) & (MailOutbox.next_try_at < db_now(-lost_after))
    lost = db.session.scalars(select(MailOutbox.id).where(stale).limit(limit)).all()
    again: list[tuple[str, int]] = []
    if lost:  # the same test in the UPDATE: a row claimed in between keeps its claim
        again = [
            (job, row_id)
            for job, row_id in db.session.execute(
                update(MailOutbox)
                .where(MailOutbox.id.in_(lost), stale)
                .values(next_try_at=db_now(), holder=None)
                .returning(MailOutbox.job, MailOutbox.id)
                .execution_options(synchronize_session=False)
            )
        ]
    db.session.execute(
        delete(MailOutbox).where(
            MailOutbox.state != PENDING, MailOutbox.finished_at < db_now(-KEEP.total_seconds())
        )
    )
    return again


def waiting(overdue: float | None = None) -> int:
    """Mails not sent yet; with `overdue`, only those due for that many seconds (for /metrics:
    mail that should have gone, because no worker runs or the relays refuse it)."""
    query = select(func.count()).select_from(MailOutbox).where(MailOutbox.state == PENDING)
    if overdue is not None:
        query = query.where(MailOutbox.next_try_at < db_now(-overdue))
    count = db.session.scalar(query) or 0
    db.session.commit()
    return count
