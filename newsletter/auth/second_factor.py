"""The second factor: TOTP codes (RFC 6238, pyotp) and ten one-time recovery codes.

The QR code is drawn here as inline SVG (segno): the secret never leaves our own page for a
third-party QR service. A code counts once (the last time step used is kept). Wrong codes are
slowed down, not locked for good: after five in a row each next try waits longer, up to 15
minutes, and every wrong code is in the audit log.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
from sqlalchemy import delete, select

from newsletter.auth import enrolment
from newsletter.auth.audit import Actor, record
from newsletter.auth.models import Editor, RecoveryCode
from newsletter.database import utcnow
from newsletter.extensions import db

ISSUER = "OVER het ravijn"
RECOVERY_CODES = 10
FREE_TRIES = 5  # wrong codes in a row before the waiting starts
MAX_WAIT = timedelta(minutes=15)
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper without doubt


class CodeError(Exception):
    """The code was not accepted; the message is Dutch and says what to do."""


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str
    qr_svg: str

    @property
    def grouped_secret(self) -> str:
        """The secret in groups of four, for typing it into an app by hand."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))


def new_enrolment(editor: Editor, secret: str | None = None) -> Enrolment:
    secret = secret or pyotp.random_base32()
    uri = pyotp.TOTP(secret).provisioning_uri(name=editor.email, issuer_name=ISSUER)
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title="QR-code voor je authenticator-app"
    )
    return Enrolment(secret, uri, svg)


def enrol(editor: Editor, secret: str, code: str, actor: Actor) -> list[str]:
    """Store the secret once a first code from the app is right; returns the recovery codes,
    shown once (only their hashes are kept)."""
    step = _matching_step(secret, code)
    if step is None:
        raise CodeError("Deze code klopt niet. Kijk of de tijd op je telefoon goed staat.")
    editor.totp_secret, editor.totp_enrolled_at, editor.totp_last_step = secret, utcnow(), step
    editor.code_failures, editor.code_blocked_until = 0, None
    codes = _new_recovery_codes(editor)
    enrolment.forget(editor)
    record(actor, "2fa-enrolled", editor.email)
    db.session.commit()
    return codes


def reset(editor: Editor, actor: Actor) -> None:
    """A beheerder (or the command line) removes the second factor; the editor enrols again at
    the next login. Every session of the editor ends (the caller commits)."""
    editor.totp_secret = editor.totp_enrolled_at = editor.totp_last_step = None
    editor.code_failures, editor.code_blocked_until = 0, None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.editor_id == editor.id))
    enrolment.forget(editor)
    editor.session_version += 1
    record(actor, "2fa-reset", editor.email)


def verify(editor: Editor, code: str, now: datetime | None = None) -> None:
    """Accept a TOTP code or an unused recovery code, or raise CodeError (audited). The editor's
    row is locked first: two codes sent at once are counted, and a code counts once."""
    db.session.refresh(editor, with_for_update=True)
    now = now or utcnow()
    if editor.code_blocked_until is not None and now < editor.code_blocked_until:
        wait = max(1, round((editor.code_blocked_until - now).total_seconds() / 60))
        record(Actor(editor.email, editor.id), "2fa-failed", editor.email, "te snel na fouten")
        db.session.commit()
        unit = "minuut" if wait == 1 else "minuten"
        raise CodeError(f"Te veel foute codes. Probeer het over {wait} {unit} opnieuw.")
    cleaned = code.strip().replace(" ", "").replace("-", "").lower()
    if cleaned.isdigit():
        step = _matching_step(editor.totp_secret or "", cleaned, for_time=now)
        if step is not None and step > (editor.totp_last_step or 0):
            editor.totp_last_step = step
            return _succeeded(editor)
    elif _use_recovery_code(editor, cleaned, now):
        record(Actor(editor.email, editor.id), "recovery-code-used", editor.email)
        return _succeeded(editor)
    editor.code_failures += 1
    over = editor.code_failures - FREE_TRIES
    if over >= 0:
        editor.code_blocked_until = now + min(timedelta(seconds=30 * 2**over), MAX_WAIT)
    record(Actor(editor.email, editor.id), "2fa-failed", editor.email, f"{editor.code_failures}e")
    db.session.commit()
    raise CodeError("Deze code klopt niet. Typ de zes cijfers die je app nu laat zien.")


def recovery_codes_left(editor: Editor) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.editor_id == editor.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def _succeeded(editor: Editor) -> None:
    editor.code_failures, editor.code_blocked_until = 0, None
    db.session.commit()


def _matching_step(secret: str, code: str, for_time: datetime | None = None) -> int | None:
    """The time step whose code this is (the one before and after count too: clocks drift)."""
    code = code.strip().replace(" ", "")
    if not secret or len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    moment = for_time or utcnow()
    for drift in (0, -1, 1):
        at = moment + timedelta(seconds=30 * drift)
        if secrets.compare_digest(totp.at(at), code):
            return totp.timecode(at)
    return None


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _new_recovery_codes(editor: Editor) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.editor_id == editor.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
        db.session.add(RecoveryCode(editor_id=editor.id, code_hash=_digest(raw)))
    return codes


def _use_recovery_code(editor: Editor, cleaned: str, now: datetime) -> bool:
    if len(cleaned) != 12:
        return False
    found = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.editor_id == editor.id,
            RecoveryCode.code_hash == _digest(cleaned),
            RecoveryCode.used_at.is_(None),
        )
    )
    if found is None:
        return False
    found.used_at = now
    return True
