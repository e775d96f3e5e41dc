"""The delivery ledger's SQL, all of it: snapshot, claim, renew, release, mark, retry, complete,
and the reads that progress and figures need. No other module touches the `delivery` table.

One row per (edition, subscriber); a batch claims its rows with a lease, marks each one right
after the relay's answer, and gives back what it did not send.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, insert, literal, select, update

from newsletter.database import database_now
from newsletter.delivery.ledger import states
from newsletter.delivery.ledger.marks import Marks
from newsletter.delivery.models import Delivery, DeliveryState
from newsletter.editions.models import Edition
from newsletter.extensions import db
from newsletter.subscribers import segments

__all__ = ["DeliveryState", "Marks"]


def position(edition_id: int) -> tuple[int, int]:
    """(last batch number, highest subscriber id) written so far: where a snapshot resumes."""
    last_batch, last_id = db.session.execute(
        select(func.max(Delivery.batch_no), func.max(Delivery.subscriber_id)).where(
            Delivery.edition_id == edition_id
        )
    ).one()
    return last_batch or 0, last_id or 0


def write_batch(
    edition_id: int,
    segment: segments.Segment,
    snapshot_at: datetime,
    after_id: int,
    batch_no: int,
    size: int,
) -> list[int]:
    """INSERT … SELECT the next page of the segment as batch `batch_no`; the subscriber ids
    written (at most one batch: memory stays flat). The caller commits."""
    page = segments.page(
        segment,
        snapshot_at,
        after_id,
        size,
        literal(edition_id),
        literal(batch_no),
        literal(DeliveryState.pending.value),
        literal(0),
    )
    columns = ["subscriber_id", "edition_id", "batch_no", "state", "attempts"]
    return list(
        db.session.scalars(
            insert(Delivery).from_select(columns, page).returning(Delivery.subscriber_id)
        ).all()
    )


def count(edition_id: int) -> int:
    return db.session.scalar(
        select(func.count(Delivery.id)).where(Delivery.edition_id == edition_id)
    )


def _now() -> datetime:
    # leases and retry times are written by one worker and compared by another: one clock
    return database_now(db.session)


def _due(now: datetime) -> list:
    return [
        Delivery.state == DeliveryState.pending,
        Delivery.claimed_until.is_(None) | (Delivery.claimed_until < now),
        Delivery.retry_at.is_(None) | (Delivery.retry_at <= now),
    ]


def claim(edition_id: int, batch_no: int, holder: str, lease_seconds: int) -> list[tuple[int, int]]:
    """Lease the batch's due rows to `holder`; (row id, subscriber id) of each, in order.

    A row whose subscriber was erased has no subscriber id any more: it is skipped at once.
    """
    now = _now()
    db.session.execute(
        update(Delivery)
        .where(Delivery.edition_id == edition_id, Delivery.batch_no == batch_no, *_due(now))
        .values(claim=holder, claimed_until=now + timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    rows = db.session.execute(
        select(Delivery.id, Delivery.subscriber_id)
        .where(Delivery.claim == holder, Delivery.state == DeliveryState.pending)
        .order_by(Delivery.id)
    ).all()
    db.session.commit()
    return [(r.id, r.subscriber_id or 0) for r in rows]


def renew(holder: str, lease_seconds: int) -> None:
    db.session.execute(
        update(Delivery)
        .where(Delivery.claim == holder, Delivery.state == DeliveryState.pending)
        .values(claimed_until=_now() + timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def release(holder: str) -> None:
    """Give back every row the holder did not finish (the next message takes them)."""
    db.session.rollback()
    db.session.execute(
        update(Delivery)
        .where(Delivery.claim == holder, Delivery.state == DeliveryState.pending)
        .values(claim=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def attempts(row_id: int) -> int:
    return db.session.scalar(select(Delivery.attempts).where(Delivery.id == row_id)) or 0


def retry_later(row_id: int, holder: str, wait_seconds: float, error: str) -> None:
    """A 4xx: the row goes back to the pool, due again after `wait_seconds`."""
    db.session.execute(
        update(Delivery)
        .where(Delivery.id == row_id, Delivery.claim == holder)
        .values(
            attempts=Delivery.attempts + 1,
            retry_at=_now() + timedelta(seconds=wait_seconds),
            claim=None,
            claimed_until=None,
            error=error[:300],
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def next_retry_in(edition_id: int, batch_no: int) -> float | None:
    """Seconds until the batch's next 4xx retry is due, or None when nothing is left to do."""
    earliest = db.session.scalar(
        select(Delivery.retry_at)
        .where(
            Delivery.edition_id == edition_id,
            Delivery.batch_no == batch_no,
            Delivery.state == DeliveryState.pending,
            Delivery.retry_at.is_not(None),
        )
        .order_by(Delivery.retry_at)
        .limit(1)
    )
    if earliest is None:
        return None
    return max(0.0, (earliest - _now()).total_seconds())


def has_pending(edition_id: int) -> bool:
    found = db.session.scalar(
        select(
            exists().where(
                Delivery.edition_id == edition_id, Delivery.state == DeliveryState.pending
            )
        )
    )
    db.session.commit()
    return bool(found)


def stranded_batches(edition_id: int) -> list[int]:
    """Batches with rows that are due and claimed by nobody (or whose lease ran out)."""
    batches = list(
        db.session.scalars(
            select(Delivery.batch_no)
            .where(Delivery.edition_id == edition_id, *_due(_now()))
            .distinct()
        )
    )
    db.session.commit()
    return batches


def fail_after_report(row_id: int, subscriber_id: int, status: str) -> bool:
    """A bounce report for a row of this subscriber that was sent: it failed after all (the
    caller commits). False when no such row is counted as sent."""
    return states.change_state(
        row_id,
        [DeliveryState.sent],
        DeliveryState.failed,
        where=[Delivery.subscriber_id == subscriber_id],
        failed_at=_now(),
        error=f"DSN {status}"[:300],
    )


def owner_of_row(row_id: int, edition_id: int) -> int | None:
    """The subscriber a ledger row of this edition went to (None: no such row, or erased)."""
    return db.session.scalar(
        select(Delivery.subscriber_id).where(
            Delivery.id == row_id,
            Delivery.edition_id == edition_id,
            Delivery.state == DeliveryState.sent,
        )
    )


def counts(edition_id: int) -> dict[DeliveryState, int]:
    return dict(
        db.session.execute(
            select(Delivery.state, func.count(Delivery.id))
            .where(Delivery.edition_id == edition_id)
            .group_by(Delivery.state)
        ).all()
    )


def sent_since(edition_id: int, since: datetime) -> int:
    return (
        db.session.scalar(
            select(func.count(Delivery.id)).where(
                Delivery.edition_id == edition_id, Delivery.sent_at >= since
            )
        )
        or 0
    )


def subscribers_of(edition_id: int) -> Select:
    """The subscriber ids an edition went to (as a subquery for figures)."""
    return select(Delivery.subscriber_id).where(Delivery.edition_id == edition_id)


def received_by(subscriber_id: int, limit: int = 100) -> list[Any]:
    """(edition id, title, state, sent_at, error code) of what one reader was sent, newest first."""
    return list(
        db.session.execute(
            select(Edition.id, Edition.title, Delivery.state, Delivery.sent_at, Delivery.error)
            .join(Edition, Edition.id == Delivery.edition_id)
            .where(Delivery.subscriber_id == subscriber_id)
            .order_by(Delivery.id.desc())
            .limit(limit)
        ).all()
    )


def rows_of(edition_id: int, failed_only: bool, limit: int = 1000) -> list[Any]:
    """(subscriber id, state, sent_at, error code) of one edition's ledger, in send order."""
    where = [Delivery.edition_id == edition_id]
    if failed_only:
        where.append(Delivery.state == DeliveryState.failed)
    return list(
        db.session.execute(
            select(Delivery.subscriber_id, Delivery.state, Delivery.sent_at, Delivery.error)
            .where(*where)
            .order_by(Delivery.id)
            .limit(limit)
        ).all()
    )


def edition_totals(limit: int | None = 20, edition_id: int | None = None) -> list[Any]:
    """(id, title, published_at, rows, sent, failed, bounced) of the latest sent editions, or
    of only `edition_id`."""
    failed = Delivery.state == DeliveryState.failed
    bounced = and_(failed, Delivery.error.like("5%") | Delivery.error.like("DSN%"))
    only = [] if edition_id is None else [Edition.id == edition_id]
    return list(
        db.session.execute(
            select(
                Edition.id,
                Edition.title,
                Edition.published_at,
                func.count(Delivery.id),
                func.sum(case((Delivery.state == DeliveryState.sent, 1), else_=0)),
                func.sum(case((failed, 1), else_=0)),
                func.sum(case((bounced, 1), else_=0)),
            )
            .join(Delivery, Delivery.edition_id == Edition.id)
            .where(*only)
            .group_by(Edition.id, Edition.title, Edition.published_at)
            .order_by(Edition.id.desc())
            .limit(limit)
        ).all()
    )


def failures(edition_id: int) -> list[str]:
    """The relay's code ("550 5.1.1", "DSN 5.1.1", "421 4.7.0") of every failed row."""
    return list(
        db.session.scalars(
            select(func.coalesce(Delivery.error, "")).where(
                Delivery.edition_id == edition_id, Delivery.state == DeliveryState.failed
            )
        )
    )
