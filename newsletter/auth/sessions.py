"""Sessions the server controls: a session is valid only while it carries the editor's current
session version, within its idle and absolute lifetime, and the editor is not disabled.

Logging out, changing a password, disabling an editor and "log out everywhere" raise the
version: every copy of every session of that editor stops working at once, a replayed cookie
included. Nothing binds a session to headers the client sets (X-Forwarded-For, User-Agent).
"""

from __future__ import annotations

import secrets
import time

from flask import current_app, flash, g, session
from flask_login import current_user, login_user, logout_user

from newsletter.auth.audit import Actor, record
from newsletter.auth.models import Editor, SsoSession
from newsletter.database import utcnow
from newsletter.extensions import db

now = time.time  # the clock, replaceable in tests
PENDING_SECONDS = 300  # between a right password and the code


def begin(editor: Editor, target: str) -> None:
    """The password was right; the session knows only that, until the second factor is shown
    (or enrolled). Nothing of /beheer opens with it."""
    session.clear()
    g.pop("csrf_token", None)
    session["pending"] = {"id": editor.id, "sv": editor.session_version, "at": now(), "to": target}


def pending_editor() -> Editor | None:
    """The editor half-way through logging in, if that was recent and nothing ended it."""
    pending = session.get("pending")
    if not isinstance(pending, dict):
        return None
    editor = db.session.get(Editor, int(pending.get("id", 0)))
    if (
        editor is None
        or not editor.is_active
        or pending.get("sv") != editor.session_version
        or now() - float(pending.get("at", 0)) > PENDING_SECONDS
    ):
        session.pop("pending", None)
        return None
    return editor


def pending_target() -> str:
    pending = session.get("pending")
    return str(pending.get("to", "")) if isinstance(pending, dict) else ""


def start(editor: Editor, action: str = "login", detail: str = "") -> None:
    """A fresh session (new id, so a new CSRF token too) for a logged-in editor."""
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF keeps the token of this request in g as well
    login_user(editor)
    stamp = now()
    session.update(sv=editor.session_version, sid=secrets.token_hex(16), at=stamp, seen=stamp)
    editor.last_login_at = utcnow()
    record(Actor(editor.email, editor.id), action, "beheer", detail)
    sso = current_app.config["SETTINGS"].sso
    if action == "login" and sso is not None and editor.email == sso.break_glass:
        # the emergency account while single sign-on is on: every use stands out in the log
        record(Actor(editor.email, editor.id), "break-glass", "beheer", "wachtwoord en code")
    db.session.commit()


def end_everywhere(editor: Editor, actor: Actor, why: str) -> None:
    """Every session of `editor` ends (the caller's commit stores it with its reason)."""
    editor.session_version += 1
    record(actor, "sessions-ended", editor.email, why)


def stop(editor: Editor) -> None:
    end_everywhere(editor, Actor(editor.email, editor.id), "uitgelogd")
    db.session.commit()
    logout_user()
    session.clear()
    g.pop("csrf_token", None)


def check() -> None:
    """Before every request: end a session that is no longer valid (then login_required sends
    the editor to the login page)."""
    if not current_user.is_authenticated:
        return
    settings = current_app.config["SETTINGS"]
    stamp = now()
    editor: Editor = current_user._get_current_object()  # type: ignore[attr-defined]
    valid = (
        editor.is_active
        and (
            editor.has_second_factor
            or not settings.require_second_factor
            or _sso_open(editor, settings.sso is not None)
        )
        and ("sso" not in session or _sso_open(editor, settings.sso is not None))
        and session.get("sv") == editor.session_version
        and stamp - float(session.get("at", 0)) < settings.session_max_hours * 3600
        and stamp - float(session.get("seen", 0)) < settings.session_idle_minutes * 60
    )
    if not valid:
        logout_user()
        session.clear()
        flash("Je sessie is afgelopen. Log opnieuw in.")
        return
    if stamp - float(session["seen"]) > 30:  # refresh now and then, not on every request
        session["seen"] = stamp


def _sso_open(editor: Editor, sso_on: bool) -> bool:
    """A session made through single sign-on (its second factor was the provider's) that the
    provider has not ended (back-channel logout) while single sign-on is still on."""
    tracked = session.get("sso")
    if not sso_on or not isinstance(tracked, int):
        return False
    row = db.session.get(SsoSession, tracked)
    return row is not None and row.editor_id == editor.id and row.ended_at is None
