"""The one small storage interface: put, read, release. Each runs in the caller's transaction,
so a blob and the row that refers to it are committed together (or not at all).

PostgreSQL is the store (in the backup, on every node). An S3-compatible store would fit behind
the same three functions (docs/operations.md#media); the database suffices for images of at most
5 MB and import files of at most 8 MB.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Column, delete, exists, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from newsletter.blobs.models import Blob
from newsletter.database import utcnow
from newsletter.extensions import db


def address(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put(data: bytes) -> str:
    """Store the bytes (once, however often they are put) and return their SHA-256.

    An existing row is locked by a no-op update, so a `release` of the same bytes running at
    this moment waits for our transaction and then sees our reference."""
    sha256 = address(data)
    values = {"sha256": sha256, "data": data, "size": len(data), "created_at": utcnow()}
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(Blob).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=[Blob.sha256], set_={"sha256": statement.excluded.sha256}
    )
    db.session.execute(statement)
    return sha256


def read(sha256: str) -> bytes | None:
    return db.session.scalar(select(Blob.data).where(Blob.sha256 == sha256))


def read_head(sha256: str, length: int) -> bytes | None:
    """The first `length` bytes (enough to tell an image's type) without loading the rest."""
    head = db.session.scalar(select(func.substr(Blob.data, 1, length)).where(Blob.sha256 == sha256))
    return bytes(head) if head is not None else None


def _references() -> list[Column[str]]:
    """Every column with a foreign key to a blob, from the metadata: owners declare their
    reference in their own models, and this package needs to know none of them."""
    return [
        key.parent
        for table in db.metadata.sorted_tables
        for key in table.foreign_keys
        if key.column.table is Blob.__table__
    ]


def release(sha256: str) -> bool:
    """Delete the blob if nothing refers to it any more; True if it went. The caller has
    already dropped its own reference (in this transaction) and commits."""
    statement = delete(Blob).where(Blob.sha256 == sha256)
    for column in _references():
        statement = statement.where(~exists().where(column == sha256))
    if db.engine.dialect.name != "postgresql":  # SQLite has one writer at a time: no race
        return bool(db.session.execute(statement).rowcount)
    try:
        with db.session.begin_nested():
            gone = db.session.execute(statement).rowcount
    except IntegrityError:  # a reference made at this moment (the foreign key says so): keep it
        return False
    return bool(gone)
