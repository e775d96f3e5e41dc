"""The blob table: bytes under their SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.database import UTCDateTime, utcnow
from newsletter.extensions import db


class Blob(db.Model):
    """Bytes that every node must be able to read (bytea on PostgreSQL, a BLOB on SQLite)."""

    __tablename__ = "blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary())
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
