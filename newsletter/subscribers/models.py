from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newsletter.blobs.models import Blob
from newsletter.database import UTCDateTime, enum_string, enum_type, utcnow
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
#: a reader's details as the history and the audit name them (never the column names)
FIELD_LABELS = {"name": "naam", "gemeente_code": "gemeente", "role": "functie"}


def changed_words(fields: list[str]) -> str:
    """['gemeente_code', 'role'] → 'gemeente, functie'."""
    return ", ".join(FIELD_LABELS.get(field, field) for field in fields)


class SubscriberState(enum.StrEnum):
    """Where a subscriber stands; only `lifecycle` changes it, always with a consent event."""

    pending = "pending"
    active = "active"
    unsubscribed = "unsubscribed"
    bounced = "bounced"
    complained = "complained"  # marked our mail as spam: never mailed again unless they return


class ConsentKind(enum.StrEnum):
    requested = "requested"
    confirmed = "confirmed"
    preferences_changed = "preferences_changed"
    unsubscribed = "unsubscribed"
    resubscribed = "resubscribed"
    bounced = "bounced"
    complained = "complained"


class ConsentSource(enum.StrEnum):
    form = "form"
    one_click = "one-click"
    preferences_page = "preferences page"
    import_ = "import"
    relay = "relay"  # the relay refused the address at RCPT (5xx)
    bounce_report = "bounce report"  # a DSN that answers our own message
    complaint_report = "complaint report"  # a feedback-loop report (ARF)
    editor = "editor"  # an editor at VNG corrected the details on the reader's page
    api = "api"  # another system of the VNG, through the JSON API with its key


def new_public_id() -> str:
    return secrets.token_urlsafe(16)


class Subscriber(db.Model):
    """One reader. Tokens carry `public_id`, never the address; `email_key` makes it unique."""

    __tablename__ = "subscriber"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    #: a new address asked for on the preferences page, until it is confirmed from its mailbox
    pending_email: Mapped[str | None] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(120))
    gemeente_code: Mapped[str | None] = mapped_column(ForeignKey("gemeente.code"), index=True)
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    state: Mapped[SubscriberState] = mapped_column(
        enum_type(SubscriberState, "subscriber_state"), default=SubscriberState.pending
    )
    confirm_nonce: Mapped[str] = mapped_column(String(32), default=new_public_id)
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the goodbye mail goes at this time, unless the reader came back before (then None)
    goodbye_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    gemeente: Mapped[Gemeente | None] = relationship(lazy="joined")


class SubmittedSignup(db.Model):
    """A sign-up form as it came in, until a worker has handled it (seconds).

    The web request stores this one row and queues its id, whatever the address: a new address
    and a known one cost the request the same work, so its timing tells nothing.
    """

    __tablename__ = "submitted_signup"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(120))
    gemeente_code: Mapped[str] = mapped_column(String(6))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    ip_prefix: Mapped[str | None] = mapped_column(String(50))
    bron: Mapped[str | None] = mapped_column(String(40))  # where the form was found
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LinkKind(enum.StrEnum):
    """What a reader asked to be mailed again by typing an address."""

    confirmation = "confirmation"  # "stuur een nieuwe link" after an expired confirmation
    preferences = "preferences"  # a fresh link to the preferences page


class SubmittedLinkRequest(db.Model):
    """A typed address asking for a link by mail, until a worker has handled it (seconds).

    Like SubmittedSignup: the web request stores this one row and queues its id, whatever the
    address, so a known and an unknown address cost the request the same work; the worker
    decides whether a mail goes.
    """

    __tablename__ = "submitted_link_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # a LinkKind
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UnsubscribeRequest(db.Model):
    """The form "Afmelden met uw e-mailadres" as it came in, until a worker has handled it
    (seconds): as with a sign-up, the request does the same work for any address."""

    __tablename__ = "unsubscribe_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email_key: Mapped[str] = mapped_column(String(320))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


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
    #: the edition whose unsubscribe link was used (a number: no tie to the editions package)
    edition_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: a sign-up's source code from the form's address (?bron=ledenbrief): counted per source
    bron: Mapped[str | None] = mapped_column(String(40))


@event.listens_for(ConsentEvent, "before_update")
def _consent_is_append_only(mapper: object, connection: object, target: ConsentEvent) -> None:
    """The consent log is evidence: rows are added, never edited."""
    raise ValueError("consent events are append-only")


class Suppression(db.Model):
    """An address that must never be mailed or imported again, kept only as a keyed hash."""

    __tablename__ = "suppression"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address_hash: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(40))  # erased, complaint, …
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ImportState(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class ImportJob(db.Model):
    """An upload being imported in the background; progress lives in Redis while it runs."""

    __tablename__ = "import_job"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("editor.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(320))
    filename: Mapped[str] = mapped_column(String(200))
    stored_as: Mapped[str] = mapped_column(String(200))  # the file's SHA-256: its blob
    #: the uploaded file (personal data): dropped, and the blob released, when the job ends
    file_sha256: Mapped[str | None] = mapped_column(ForeignKey(Blob.sha256))
    dry_run: Mapped[bool] = mapped_column(Boolean())
    state: Mapped[ImportState] = mapped_column(
        enum_string(ImportState, 16), default=ImportState.queued
    )
    report: Mapped[str] = mapped_column(Text(), default="")  # JSON, see readers.jobs
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: while running: the database's time of the worker's last sign of life (imports/stale.py)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
