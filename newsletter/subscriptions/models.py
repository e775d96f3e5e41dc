from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newsletter.database import UTCDateTime, enum_type, utcnow
from newsletter.extensions import db
from newsletter.reference.models import Gemeente


class Role(enum.StrEnum):
    burgemeester = "burgemeester"
    wethouder = "wethouder"
    raadslid = "raadslid"
    griffier = "griffier"
    gemeentesecretaris = "gemeentesecretaris"
    ambtenaar = "ambtenaar"
    anders = "anders"


ROLE_LABELS = {
    Role.burgemeester: "Burgemeester",
    Role.wethouder: "Wethouder",
    Role.raadslid: "Raadslid",
    Role.griffier: "Griffier",
    Role.gemeentesecretaris: "Gemeentesecretaris",
    Role.ambtenaar: "Ambtenaar",
    Role.anders: "Anders",
}


class Status(enum.StrEnum):
    pending = "pending"
    active = "active"
    unsubscribed = "unsubscribed"
    bounced = "bounced"


class ConsentKind(enum.StrEnum):
    requested = "requested"
    confirmed = "confirmed"
    preferences_changed = "preferences_changed"
    unsubscribed = "unsubscribed"
    resubscribed = "resubscribed"


class ConsentSource(enum.StrEnum):
    form = "form"
    one_click = "one-click"
    preferences_page = "preferences page"
    import_ = "import"


def new_public_id() -> str:
    return secrets.token_urlsafe(16)


class Subscriber(db.Model):
    """One reader. Tokens carry `public_id`, never the address; `email_key` makes it unique."""

    __tablename__ = "subscriber"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    gemeente_code: Mapped[str | None] = mapped_column(ForeignKey("gemeente.code"), index=True)
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    status: Mapped[Status] = mapped_column(enum_type(Status, "status"), default=Status.pending)
    confirm_nonce: Mapped[str] = mapped_column(String(32), default=new_public_id)
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    gemeente: Mapped[Gemeente | None] = relationship(lazy="joined")


class ConsentEvent(db.Model):
    """Append-only proof of consent: what was shown, when, through which door."""

    __tablename__ = "consent_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscriber.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ConsentKind] = mapped_column(enum_type(ConsentKind, "consent_kind"))
    source: Mapped[ConsentSource] = mapped_column(enum_type(ConsentSource, "consent_source"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    consent_version: Mapped[str | None] = mapped_column(String(40))
    consent_sha256: Mapped[str | None] = mapped_column(String(64))
    ip_prefix: Mapped[str | None] = mapped_column(String(50))  # /24 or /48 only, never a full IP
    detail: Mapped[str | None] = mapped_column(String(200))


@event.listens_for(ConsentEvent, "before_update")
def _consent_is_append_only(mapper: object, connection: object, target: ConsentEvent) -> None:
    """The consent log is evidence: rows are added, never edited."""
    raise ValueError("consent events are append-only")
