"""Marking rows, the hot path of a send: one autocommitted UPDATE per mail.

`with Marks(holder) as marks:` then either `marks.mark(row_id, state)` (waits for the answer)
or `marks.send(row_id, state)` right after the relay's 250 and `marks.settle()` a little later.
On PostgreSQL `send` writes the UPDATE to the server and returns at once: the server commits it
while the batch talks to the relay about the next reader, and `settle` (called before the next
message's data goes out) only reads the answer. A killed worker loses nothing by this: the
UPDATE is already on the server's socket. It runs on a pooled connection of its own, as one
parameterised statement over libpq (one round trip, no BEGIN/COMMIT), with synchronous_commit
off: only a crash of PostgreSQL itself could forget the last fraction of a second of marks, and
those readers would get the mail again (docs/sending.md#duplicates-which-remain-possible-and-why).

Nothing is left on the connection between marks, so the marks work behind PgBouncer in
transaction mode: no SQL PREPARE (a named statement lives on one server connection, and the
next mark may get another), and synchronous_commit is set inside each mark's own transaction
(`set_config(…, true)`), not with a SET that would stay on the server connection for whoever
gets it next.
"""

from __future__ import annotations

import select
from types import TracebackType
from typing import Any

import psycopg
from psycopg import pq

from newsletter.database import utcnow
from newsletter.delivery.ledger.states import MARKED
from newsletter.delivery.models import DeliveryState
from newsletter.extensions import db

_SET = (
    "UPDATE delivery SET state = {0}, sent_at = {1}, failed_at = {2}, attempts = attempts + 1, "
    "claim = NULL, claimed_until = NULL, error = {3}"
)
#: conditional on the state it expects, as every ledger write (a batch claims pending rows)
_EXPECTED = f" AND state = '{DeliveryState.pending.value}'"
_SQL = _SET + " WHERE id = {4} AND claim = {5}" + _EXPECTED
#: the same UPDATE with synchronous_commit off for its own transaction only
_PG_SQL = (
    _SET.format("$1", "$2", "$3", "$4")
    + " FROM (SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous"
    + " WHERE id = $5 AND claim = $6"
    + _EXPECTED
).encode()
#: text, timestamp, timestamp, text, bigint, text
_PG_TYPES = (25, 1114, 1114, 25, 20, 25)
#: the server does not answer within this time: treated like a lost connection
ANSWER_SECONDS = 60.0

Marked = tuple[int, DeliveryState, bool]


class Marks:
    """One batch's marks. `settle()` gives (row, state, held) for the mark sent last; held is
    False when the row was no longer ours (the lease ran out and another run took it)."""

    def __init__(self, holder: str) -> None:
        self.holder = holder
        self.postgres = db.engine.dialect.name == "postgresql"
        self.raw: Any = None
        self.cursor: Any = None
        self.pending: tuple[int, DeliveryState] | None = None
        self.answer: bool = False

    def __enter__(self) -> Marks:
        self.raw = db.engine.raw_connection()
        driver = self.raw.driver_connection
        try:
            if self.postgres:
                driver.autocommit = True  # each mark is a transaction of its own
            else:
                driver.isolation_level = None  # sqlite3: every statement commits by itself
                self.cursor = self.raw.cursor()
        except BaseException:
            self._discard()
            raise
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
            if self.postgres:
                if self.pending is not None:
                    self.settle()  # the connection must be idle before it goes back
                driver.autocommit = False
            else:
                self.cursor.close()
                driver.isolation_level = ""
        except Exception:
            self._discard()
            if exc is None:
                raise
            return  # the error that brought us here is the one to tell
        self.raw.close()  # back to the pool, as the pool found it
        self.raw = None

    def _discard(self) -> None:
        """A connection left in autocommit, or busy with an answer never read, must not go
        back to the pool: the next user's rollback would undo nothing."""
        self.raw.invalidate()
        self.raw.close()
        self.raw = None

    def mark(self, row_id: int, state: DeliveryState, error: str | None = None) -> bool:
        """Mark and wait for the answer. False when the row is no longer ours."""
        self.send(row_id, state, error)
        marked = self.settle()
        return bool(marked and marked[2])

    def send(self, row_id: int, state: DeliveryState, error: str | None = None) -> None:
        """Send the mark; its answer waits for `settle()`. A mark still unsettled is settled
        first (its outcome is then lost to the caller: settle before sending again)."""
        if state not in MARKED:
            raise ValueError(f"delivery state pending -> {state} is not a transition")
        if self.pending is not None:
            self.settle()
        now = utcnow().replace(tzinfo=None)  # naive UTC
        at = now if state == DeliveryState.sent else None
        failed_at = now if state == DeliveryState.failed else None
        error = error[:300] if error else None
        if self.postgres:
            params = [
                state.value.encode(),
                at.isoformat(sep=" ").encode() if at else None,
                failed_at.isoformat(sep=" ").encode() if failed_at else None,
                error.encode() if error else None,
                str(row_id).encode(),
                self.holder.encode(),
            ]
            pgconn = self.raw.driver_connection.pgconn
            pgconn.send_query_params(_PG_SQL, params, _PG_TYPES)
            _flush(pgconn)
        else:
            self.cursor.execute(
                _SQL.format(*"??????"),
                (state.value, at, failed_at, error, row_id, self.holder),
            )
            self.answer = self.cursor.rowcount == 1
        self.pending = (row_id, state)

    def settle(self) -> Marked | None:
        """The outcome of the mark sent last, or None when none is waiting."""
        if self.pending is None:
            return None
        row_id, state = self.pending
        self.pending = None
        if self.postgres:
            self.answer = _answer(self.raw.driver_connection.pgconn)
        return row_id, state, self.answer


def _wait(pgconn: Any, readable: bool) -> None:
    waiting = select.poll()  # poll, not select: a process may hold more than 1,024 files
    try:
        waiting.register(pgconn.socket, select.POLLIN if readable else select.POLLOUT)
        ready = waiting.poll(int(ANSWER_SECONDS * 1000))
    except (OSError, ValueError) as exc:  # the socket went away under us
        raise psycopg.OperationalError(f"the database connection broke: {exc}") from exc
    if not ready:
        raise psycopg.OperationalError(f"no answer from the database in {ANSWER_SECONDS:.0f} s")


def _flush(pgconn: Any) -> None:
    while pgconn.flush() != 0:  # only when the socket's buffer is full
        _wait(pgconn, readable=False)


def _answer(pgconn: Any) -> bool:
    """Reads the UPDATE's result (and the end of it); raises the server's error as psycopg
    would, so an outage looks the same as with a plain execute."""
    while pgconn.is_busy():
        _wait(pgconn, readable=True)
        pgconn.consume_input()
    result = pgconn.get_result()
    while pgconn.get_result() is not None:
        pass
    if result is None:
        raise psycopg.OperationalError("the database gave no answer to a mark")
    if result.status != pq.ExecStatus.COMMAND_OK:
        raise psycopg.errors.error_from_result(result, encoding="utf-8")
    return result.command_tuples == 1
