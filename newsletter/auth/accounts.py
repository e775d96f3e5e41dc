"""Editor accounts: create, authenticate, load. Only a scrypt hash of a password is stored."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from newsletter.auth.models import Editor
from newsletter.database import utcnow
from newsletter.extensions import db

PASSWORD_MIN = 12


class AccountError(Exception):
    """A rule said no; the message is Dutch and shown to the editor or on the command line."""


def create_editor(email: str, password: str, name: str = "") -> Editor:
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise AccountError("Dat is geen e-mailadres.")
    if len(password) < PASSWORD_MIN:
        raise AccountError(f"Het wachtwoord moet minstens {PASSWORD_MIN} tekens lang zijn.")
    if db.session.scalar(select(Editor).where(Editor.email == email)):
        raise AccountError(f"Er is al een redacteur met {email}.")
    editor = Editor(email=email, name=name, password_hash=generate_password_hash(password))
    db.session.add(editor)
    db.session.commit()
    return editor


def authenticate(email: str, password: str) -> Editor | None:
    editor = db.session.scalar(select(Editor).where(Editor.email == email.strip().lower()))
    if editor is None:
        check_password_hash(_dummy_hash(), password)  # same time whether or not the address exists
        return None
    if not check_password_hash(editor.password_hash, password):
        return None
    editor.last_login_at = utcnow()
    db.session.commit()
    return editor


def get(editor_id: int) -> Editor | None:
    return db.session.get(Editor, editor_id)


def load_user(editor_id: str) -> Editor | None:
    """Flask-Login's user loader: the session holds the id as text."""
    return get(int(editor_id)) if editor_id.isdigit() else None


def _dummy_hash() -> str:
    cached = current_app.extensions.get("dummy_password_hash")
    if cached is None:
        cached = current_app.extensions["dummy_password_hash"] = generate_password_hash("x" * 16)
    return cached
