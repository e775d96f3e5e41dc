"""Receivers and their deliveries. A delivery keeps its payload until it is sent or given up;
payloads carry personal data, so erasure removes them and the clock clears old ones."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newsletter.database import UTCDateTime, enum_string, utcnow
from newsletter.extensions import db


class Webhook(db.Model):
    __tablename__ = "webhook"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[str] = mapped_column(String(300))  # space-separated
    #: the signing secret (whsec_…). It signs, so it must be readable: shown to the beheerder
    #: once, kept in the database like the other keys the app needs to work
    secret: Mapped[str] = mapped_column(String(80))
    enabled: Mapped[bool] = mapped_column(Boolean(), default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("editor.id", ondelete="SET NULL"))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[str | None] = mapped_column(String(120))
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: after a failed attempt the receiver rests until then: its other deliveries wait too
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def event_list(self) -> list[str]:
        return self.events.split()


class WebhookDeliveryState(enum.StrEnum):
    pending = "pending"  # waiting for its (next) attempt
    delivered = "delivered"  # the receiver answered 2xx
    failed = "failed"  # given up: out of attempts, or the receiver was switched off


class WebhookDelivery(db.Model):
    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_state_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhook.id", ondelete="CASCADE"))
    webhook: Mapped[Webhook] = relationship()
    message_id: Mapped[str] = mapped_column(String(40))  # webhook-id: the receiver's dedup key
    event: Mapped[str] = mapped_column(String(40))
    #: the reader the payload is about (public id), so an erasure can remove it
    reader_id: Mapped[str | None] = mapped_column(String(32), index=True)
    payload: Mapped[str] = mapped_column(Text())
    state: Mapped[WebhookDeliveryState] = mapped_column(
        enum_string(WebhookDeliveryState, 16), default=WebhookDeliveryState.pending
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
