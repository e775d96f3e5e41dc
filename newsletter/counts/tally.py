"""One more in the count of an edition's link in this hour: one upsert, nothing else stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.dialects import sqlite

from newsletter import metrics
from newsletter.counts.models import ClickKind, LinkCount
from newsletter.database import utcnow
from newsletter.extensions import db

#: one statement, one round trip, in its own transaction (autocommit): a click is one in a
#: count, so the commit need not wait for the disk (synchronous_commit off for this statement
#: only); a crash of the database server may lose the last fraction of a second of clicks
_ADD_POSTGRESQL = text(
    "INSERT INTO link_count (edition_id, number, hour, kind, count) "
    "SELECT :edition_id, :number, :hour, :kind, 1 "
    "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS quick "
    "ON CONFLICT (edition_id, number, hour, kind) DO UPDATE SET count = link_count.count + 1"
)


def add(edition_id: int, number: int, kind: ClickKind, now: datetime | None = None) -> None:
    """Count one request, committed at once. Only the hour is kept, not the moment."""
    hour = (now or utcnow()).replace(minute=0, second=0, microsecond=0)
    values = {"edition_id": edition_id, "number": number, "kind": kind.value}
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(_ADD_POSTGRESQL, values | {"hour": hour.replace(tzinfo=None)})
    else:
        table = LinkCount.__table__
        statement = sqlite.insert(table).values(**values, hour=hour, count=1)
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.edition_id, table.c.number, table.c.hour, table.c.kind],
                set_={"count": table.c.count + 1},
            )
        )
        db.session.commit()
    metrics.LINK_REQUESTS.labels(kind.value).inc()


def per_link(edition_id: int) -> dict[tuple[int, str], int]:
    """(link number, kind) → count, over all hours."""
    rows = db.session.execute(
        select(LinkCount.number, LinkCount.kind, db.func.sum(LinkCount.count))
        .where(LinkCount.edition_id == edition_id)
        .group_by(LinkCount.number, LinkCount.kind)
    ).all()
    return {(number, kind): int(total) for number, kind, total in rows}


def per_hour(edition_id: int) -> list[tuple[datetime, str, int]]:
    """(hour, kind, count) over all links, oldest first."""
    rows = db.session.execute(
        select(LinkCount.hour, LinkCount.kind, db.func.sum(LinkCount.count))
        .where(LinkCount.edition_id == edition_id)
        .group_by(LinkCount.hour, LinkCount.kind)
        .order_by(LinkCount.hour)
    ).all()
    return [(hour, kind, int(total)) for hour, kind, total in rows]
