"""Marking ledger rows, the hot path of a send: one autocommitted UPDATE per mail.

Each mark is its own single-statement transaction on a connection of its own (one round
trip instead of BEGIN/UPDATE/COMMIT through the ORM). On PostgreSQL the connection commits
with synchronous_commit off: the server has the mark at once, so a killed worker loses
nothing; only a crash of PostgreSQL itself could forget the last fraction of a second of
marks, and those readers would get the mail again (see "Duplicates" in the README).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from newsletter.database import utcnow
from newsletter.delivery.models import DeliveryState
from newsletter.extensions import db

_SQL = (
    "UPDATE delivery SET state = {p}, sent_at = {p}, attempts = attempts + 1, claim = NULL, "
    "claimed_until = NULL, error = {p} WHERE id = {p} AND claim = {p}"
)


class Marks:
    """`with Marks(holder) as marks: marks.mark(row_id, DeliveryState.sent)`

    Plain DB-API on a pooled connection: this runs once per mail, and the ORM's per-statement
    work would cost more than the database's.
    """

    def __init__(self, holder: str) -> None:
        self.holder = holder
        self.postgres = db.engine.dialect.name == "postgresql"
        self.sql = _SQL.format(p="%s" if self.postgres else "?")
        self.raw: Any = None
        self.cursor: Any = None

    def __enter__(self) -> Marks:
        self.raw = db.engine.raw_connection()
        driver = self.raw.driver_connection
        if self.postgres:
            driver.autocommit = True
            driver.execute("SET synchronous_commit TO off")
        else:
            driver.isolation_level = None  # sqlite3: every statement commits by itself
        self.cursor = self.raw.cursor()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.raw is None:
            return
        driver = self.raw.driver_connection
        try:
            self.cursor.close()
            if self.postgres:
                driver.execute("RESET synchronous_commit")
                driver.autocommit = False
            else:
                driver.isolation_level = ""
        finally:
            self.raw.close()  # back to the pool, as the pool found it
            self.raw = None

    def mark(self, row_id: int, state: DeliveryState, error: str | None = None) -> bool:
        """False when the row is no longer ours (the lease ran out and another took it)."""
        at = utcnow().replace(tzinfo=None) if state == DeliveryState.sent else None  # naive UTC
        self.cursor.execute(
            self.sql, (state.value, at, error[:300] if error else None, row_id, self.holder)
        )
        return self.cursor.rowcount == 1
