"""The secret of a second factor being set up, kept in the database until the first code.

The session cookie is signed, not encrypted: whoever sees it (a proxy log, a shared computer,
a browser extension) could read a secret put there and make codes forever. So the cookie holds
only a random key; the secret waits in `editor_totp_enrolment` under the key's SHA-256, for
this editor only, for ENROL_MINUTES. Enrolling (or a reset of the second factor) removes it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import pyotp
from sqlalchemy import delete, select

from newsletter.auth.models import Editor, TotpEnrolment
from newsletter.database import utcnow
from newsletter.extensions import db

ENROL_MINUTES = 30


def _binding(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def secret_for(editor: Editor, key: str | None) -> tuple[str, str]:
    """(key, secret): the secret this session is setting up, or a new one with a new key when
    there is none (no key, another editor's, or older than ENROL_MINUTES)."""
    now = utcnow()
    if isinstance(key, str) and key:
        found = db.session.scalar(
            select(TotpEnrolment.secret).where(
                TotpEnrolment.editor_id == editor.id,
                TotpEnrolment.binding == _binding(key),
                TotpEnrolment.created_at > now - timedelta(minutes=ENROL_MINUTES),
            )
        )
        if found is not None:
            return key, found
    db.session.execute(  # abandoned attempts (anyone's) go: the table stays a handful of rows
        delete(TotpEnrolment).where(
            TotpEnrolment.created_at <= now - timedelta(minutes=ENROL_MINUTES)
        )
    )
    key, secret = secrets.token_urlsafe(32), pyotp.random_base32()
    db.session.add(TotpEnrolment(editor_id=editor.id, binding=_binding(key), secret=secret))
    db.session.commit()
    return key, secret


def forget(editor: Editor) -> None:
    """Every waiting secret of the editor goes (the caller commits)."""
    db.session.execute(delete(TotpEnrolment).where(TotpEnrolment.editor_id == editor.id))
