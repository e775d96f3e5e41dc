"""What the editors' side keeps about readers beyond the subscriber row itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.database import UTCDateTime, utcnow
from newsletter.extensions import db


class Suppression(db.Model):
    """An address that must never be mailed or imported again, kept only as a keyed hash."""

    __tablename__ = "suppression"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address_hash: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(40))  # erased, complaint, …
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEvent(db.Model):
    """Who did what, when: publish, pause, resume, cancel, import, erase. No reader data."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("editor.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(320))  # the editor's address, or "cli", "clock"
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(80), default="")
    detail: Mapped[str] = mapped_column(String(300), default="")


class ImportJob(db.Model):
    """An upload being imported in the background; progress lives in Redis while it runs."""

    __tablename__ = "import_job"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("editor.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(320))
    filename: Mapped[str] = mapped_column(String(200))
    stored_as: Mapped[str] = mapped_column(String(200))  # file name under instance/imports
    dry_run: Mapped[bool] = mapped_column(Boolean())
    state: Mapped[str] = mapped_column(String(16), default="queued")  # running, done, failed
    report: Mapped[str] = mapped_column(Text(), default="")  # JSON, see readers.jobs
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
