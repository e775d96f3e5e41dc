"""Editors and what they did: accounts, and the audit log written with each action."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from newsletter.database import UTCDateTime, utcnow
from newsletter.extensions import db


class Editor(UserMixin, db.Model):
    """Someone at VNG who writes and sends editions. Only a scrypt hash of the password."""

    __tablename__ = "editor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: comma-separated: redacteur, eindredacteur, beheerder (see auth/roles.py)
    roles: Mapped[str] = mapped_column(String(80), default="redacteur", server_default="redacteur")
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: sessions carry this number; raising it ends every session of the editor at once
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: the second factor (TOTP, RFC 6238); enrolled once a first code was right
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)  # a code counts only once
    #: wrong codes in a row, and until when the next one waits (never locked for good)
    code_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    code_blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the provider's `sub` once the editor logged in through single sign-on: such an account
    #: logs in only there (auth/sso/), never with a password here
    sso_subject: Mapped[str | None] = mapped_column(String(255), unique=True)

    def has_role(self, role: str) -> bool:
        """An eindredacteur can do what a redacteur can, and more."""
        held = self.roles.split(",")
        return role in held or (role == "redacteur" and "eindredacteur" in held)

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enrolled_at is not None and self.totp_secret is not None

    @property
    def role_list(self) -> list[str]:
        return [role for role in self.roles.split(",") if role]

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled editor cannot log in
        return self.disabled_at is None


class SsoSession(db.Model):
    """A session made through single sign-on, under the provider's session id (`sid`): the
    provider's back-channel logout ends it here (`ended_at`), and the session check reads it."""

    __tablename__ = "editor_sso_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("editor.id", ondelete="CASCADE"), index=True)
    sid: Mapped[str] = mapped_column(String(255), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RecoveryCode(db.Model):
    """One of ten one-time codes for a lost phone; only a SHA-256 of the (random) code."""

    __tablename__ = "editor_recovery_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("editor.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEvent(db.Model):
    """Who did what, when: publish, pause, resume, cancel, import, erase. No reader data.

    A summary row (`summary_key` set) stands for many reads through one API key in one hour:
    `times` counts them, `occurred_at` is the first and `last_at` the last of them."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    editor_id: Mapped[int | None] = mapped_column(
        ForeignKey("editor.id", ondelete="SET NULL"), index=True
    )
    actor: Mapped[str] = mapped_column(String(320))  # the editor's address, or "cli", "clock"
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(80), default="")
    detail: Mapped[str] = mapped_column(String(300), default="")
    times: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    summary_key: Mapped[str | None] = mapped_column(String(120), unique=True, index=True)


class TotpEnrolment(db.Model):
    """A second factor being set up: the secret shown as a QR code waits here (never in the
    session cookie, which is signed but readable) until the first code proves it. The session
    holds only a random key; `binding` is its SHA-256, so the row belongs to that session."""

    __tablename__ = "editor_totp_enrolment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("editor.id", ondelete="CASCADE"), index=True)
    binding: Mapped[str] = mapped_column(String(64), unique=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PasswordRequest(db.Model):
    """An address typed on "wachtwoord vergeten", until a worker has handled it (seconds): the
    request stores this row and queues its id whatever the address, so an editor's address and
    any other cost it the same work; the worker decides whether a link goes."""

    __tablename__ = "editor_password_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
