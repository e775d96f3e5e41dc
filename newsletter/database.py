"""Column types and engine settings shared by every model, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import enum
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, DateTime, Enum, event, exc, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Aware UTC now; used as a column default (a function, never a value fixed at import)."""
    return datetime.now(UTC)


def database_now(session: Any) -> datetime:
    """The database's clock, aware UTC: the one clock every machine shares. A lease, a retry
    time or a claim written by one worker and compared by another must come from here, not
    from each machine's own clock (docs/operations.md#clocks). SQLite lives on one machine:
    its clock is this machine's."""
    if session.get_bind().dialect.name != "postgresql":
        return utcnow()
    # statement_timestamp, not now(): now() stands still for the whole transaction
    return session.scalar(text("SELECT statement_timestamp()")).astimezone(UTC)


E = TypeVar("E", bound=enum.Enum)


@dataclass(frozen=True)
class StateWriter(Generic[E]):
    """The shape of every state's one writer (docs/architecture.md#one-writer-per-state):
    `writer(row_id, expected, state, where=…, **values)` is one UPDATE of the row (the caller
    commits), only while it is in one of the `expected` states and `where` holds; a `state`
    that is no transition from one of them is a ValueError. Without `state` it writes other
    columns under the same guard. True when the row changed; False when another writer came
    first. `stamp`: the column set to now on every write."""

    model: Any
    transitions: Mapping[E, frozenset[E]]
    session: Callable[[], Any]
    stamp: str | None = None

    def __call__(
        self,
        row_id: int,
        expected: Iterable[E],
        state: E | None = None,
        *,
        where: Iterable[ColumnElement[bool]] = (),
        **values: object,
    ) -> bool:
        expected = frozenset(expected)
        if state is not None:
            wrong = sorted(
                s.value for s in expected if s != state and state not in self.transitions[s]
            )
            if wrong:
                table = self.model.__tablename__
                raise ValueError(f"{table} state {wrong} -> {state} is not a transition")
            values["state"] = state
        if self.stamp is not None:
            values = {self.stamp: utcnow(), **values}
        result = self.session().execute(
            update(self.model)
            .where(self.model.id == row_id, self.model.state.in_(expected), *where)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


@contextmanager
def only_one(engine: Any, name: str) -> Iterator[bool]:
    """True inside when this process holds the PostgreSQL advisory lock `name`, False when
    another one does (then do nothing). The lock lives in a transaction of a connection of its
    own, held open until the block ends: it cannot leak to a pooled connection, a dead process
    drops it with its connection, and PgBouncer's transaction mode keeps that one transaction
    on one server connection. The open transaction writes nothing, so it holds back no vacuum.
    SQLite: one machine, one writer at a time anyway; always True."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as connection:
        got = connection.scalar(
            text("SELECT pg_try_advisory_xact_lock(hashtext(:name))"), {"name": name}
        )
        try:
            yield bool(got)
        finally:
            connection.rollback()  # ends the transaction, and with it the lock


class UTCDateTime(TypeDecorator[datetime]):
    """Store naive UTC, return aware UTC: SQLite keeps no zone, PostgreSQL would convert."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def enum_type(cls: type[enum.Enum], name: str, length: int = 24) -> Enum:
    """A string column with a CHECK constraint: the same schema on SQLite and PostgreSQL."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def enum_string(cls: type[enum.Enum], length: int) -> Enum:
    """An enum kept in a plain string column with no CHECK: a string column gets its type in
    the code alone (no migration), and a release that still writes plain strings writes the same
    values."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def _sqlite_pragmas(dbapi_connection: object, connection_record: object) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


#: read_only_sql_transaction: the server took the connection but no longer takes writes
READ_ONLY = "25006"


def read_only(error: BaseException | None) -> bool:
    """Is this (or what it wraps) PostgreSQL refusing a write because it is no longer the
    primary? After a failover the old primary may still answer, read-only."""
    for _ in range(5):  # SQLAlchemy's wrapper, psycopg's error, a cause or two
        if error is None:
            return False
        if getattr(error, "sqlstate", None) == READ_ONLY:
            return True
        error = getattr(error, "orig", None) or error.__cause__
    return False


def _read_only_is_a_disconnect(context: Any) -> None:
    """A connection to a demoted primary is as useless as a broken one, and so is every other
    one in the pool: treated as a disconnect, SQLAlchemy drops them all, and the next connect
    goes down DATABASE_URL's list of servers to the one that now takes writes."""
    if read_only(context.original_exception):
        context.is_disconnect = True


#: a pooled connection idle for longer than this is pinged before use
PING_AFTER_IDLE_SECONDS = 1.0


def _checked_in(dbapi_connection: object, record: Any) -> None:
    if record is not None:
        record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: object) -> None:
    """SQLAlchemy's pool_pre_ping costs a round trip on every checkout: a tenth of a busy
    worker's time. A connection that was in use a moment ago is alive (a restart of the
    database takes longer than that); one that sat idle is pinged, and a dead one is replaced."""
    since = record.info.get("idle_since")
    if isinstance(dbapi_connection, sqlite3.Connection) or since is None:
        return  # a file does not go away; a fresh connection was just made
    if time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
        return
    autocommit = dbapi_connection.autocommit  # psycopg 3: the pool left it idle
    try:
        dbapi_connection.autocommit = True
        dbapi_connection.execute("SELECT 1")
    except Exception as error:
        raise exc.DisconnectionError(str(error)) from error  # the pool connects afresh
    finally:
        if not dbapi_connection.closed:
            dbapi_connection.autocommit = autocommit


def configure_engines() -> None:
    """Web and worker share one SQLite file in `make run`: WAL and a busy timeout keep
    them apart. Idle pooled connections are pinged before use. A read-only answer of a
    demoted primary empties the pool."""
    for target, name, listener in (
        (Engine, "connect", _sqlite_pragmas),
        (Pool, "checkin", _checked_in),
        (Pool, "checkout", _ping_if_idle),
        (Engine, "handle_error", _read_only_is_a_disconnect),
    ):
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)
