from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.blobs.models import Blob
from newsletter.database import UTCDateTime, enum_type, utcnow
from newsletter.extensions import db


class EditionState(enum.StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    sending = "sending"
    paused = "paused"
    sent = "sent"
    cancelled = "cancelled"


STATE_LABELS = {
    EditionState.draft: "Concept",
    EditionState.scheduled: "Ingepland",
    EditionState.sending: "Wordt verzonden",
    EditionState.paused: "Gepauzeerd",
    EditionState.sent: "Verzonden",
    EditionState.cancelled: "Geannuleerd",
}
EDITABLE = {EditionState.draft, EditionState.scheduled}


class Edition(db.Model):
    """One issue of the newsletter; `source` (front matter + Markdown) is the truth."""

    __tablename__ = "edition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(150), default="")
    preheader: Mapped[str] = mapped_column(String(200), default="")
    edition_date: Mapped[date | None] = mapped_column(Date())
    theme: Mapped[str | None] = mapped_column(String(80))
    segment: Mapped[str] = mapped_column(Text(), default="{}")  # JSON filter, used by delivery
    source: Mapped[str] = mapped_column(Text(), default="")
    state: Mapped[EditionState] = mapped_column(
        enum_type(EditionState, "edition_state", length=16),
        default=EditionState.draft,
        index=True,
    )
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # delivery: publishing freezes the audience at snapshot_at; the fan-out writes the ledger
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("editor.id", ondelete="SET NULL")
    )
    snapshot_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    snapshot_done: Mapped[bool] = mapped_column(Boolean(), default=False, server_default=false())
    recipient_count: Mapped[int | None] = mapped_column(Integer)
    state_note: Mapped[str | None] = mapped_column(String(300))  # why it paused, etc.
    # the public web version, stored once it is sent: the archive never renders per request
    archive_html: Mapped[str | None] = mapped_column(Text())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("editor.id", ondelete="SET NULL"))
    #: the person responsible for the current version (None: nobody known, so nobody may
    #: approve it); every writer is also kept in `edition_writer`
    edited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("editor.id", ondelete="SET NULL", name="fk_edition_edited_by")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def editable(self) -> bool:
        return self.state in EDITABLE


class Approval(db.Model):
    """A second eindredacteur said yes to one rendered version (its fingerprint). Any change
    gives the edition another fingerprint, so the approval no longer matches; `voided_at` says
    when that was noticed (and the audit says by whom)."""

    __tablename__ = "edition_approval"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("edition.id", ondelete="CASCADE"), index=True
    )
    fingerprint: Mapped[str] = mapped_column(String(64))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("editor.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EditionWriter(db.Model):
    """An editor who wrote a version of this edition (or of the original it was copied from):
    four-eyes never lets them approve it."""

    __tablename__ = "edition_writer"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("edition.id", ondelete="CASCADE"), primary_key=True
    )
    editor_id: Mapped[int] = mapped_column(
        ForeignKey("editor.id", ondelete="CASCADE"), primary_key=True
    )


class EditorTestAddress(db.Model):
    """An address an editor may send test versions to: it counts once the link mailed to it
    was followed (`confirmed_at`). Each editor keeps a list of their own."""

    __tablename__ = "editor_test_address"
    __table_args__ = (UniqueConstraint("editor_id", "email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("editor.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class MediaImage(db.Model):
    """An uploaded image as served from /media/<name>: its bytes (a blob), its size in the
    mail's pixels and the size it was uploaded at. Mails give every image its width and height
    from here. `name` is the SHA-256 (first 32 hex digits) of the bytes it was first stored
    with; an image processed later keeps its name (its URL is in sent mails) and points at
    its new bytes."""

    __tablename__ = "media_image"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: nullable only for the rolling deploy: every row has its bytes once 0023 has run
    sha256: Mapped[str | None] = mapped_column(ForeignKey(Blob.sha256))
    #: False for an image moved in from instance/media before it was made fit for a mail
    processed: Mapped[bool] = mapped_column(Boolean(), default=True, server_default=true())
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    original_width: Mapped[int] = mapped_column(Integer)
    original_height: Mapped[int] = mapped_column(Integer)
    original_bytes: Mapped[int] = mapped_column(Integer)
    stored_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
