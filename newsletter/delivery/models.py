"""The delivery ledger: one row per (edition, reader), the truth about who got what."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.database import UTCDateTime, enum_type
from newsletter.extensions import db


class DeliveryState(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # 5xx, or 4xx until the attempts ran out
    skipped = "skipped"  # no longer subscribed when its turn came


class Delivery(db.Model):
    """Written by the snapshot, claimed by a batch with a lease, marked right after the 250."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("edition_id", "subscriber_id"),
        Index("ix_delivery_edition_batch", "edition_id", "batch_no", "state"),
        Index("ix_delivery_edition_state", "edition_id", "state"),
        Index("ix_delivery_edition_sent_at", "edition_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    # SET NULL: erasing a reader keeps the edition's counts, not the person
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriber.id", ondelete="SET NULL"), index=True
    )
    batch_no: Mapped[int] = mapped_column(Integer)
    state: Mapped[DeliveryState] = mapped_column(
        enum_type(DeliveryState, "delivery_state", length=10), default=DeliveryState.pending
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: when the row failed (the relay's refusal, its last 4xx, or a bounce report): failures
    #: are counted per day on an edition's results page
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(300))
