"""Password links: an editor who forgot the password gets a signed link that works for one
hour and only once; a new editor made on the page gets one that works three days (a welcome
should survive a weekend), once.

"Wachtwoord vergeten" stores the typed address and queues one job, whatever the address; the
worker decides whether a link goes (an editor's address and any other cost the request the
same work, so its timing tells nothing).

The link carries the editor's id and a fingerprint of the current password hash and session
version; setting a password changes both, so a used (or older) link no longer matches. The
salt is this purpose's own: no other token of ours opens this door.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadData, SignatureExpired
from sqlalchemy import delete, select

from newsletter import jobs
from newsletter.auth import accounts
from newsletter.auth.audit import Actor, record
from newsletter.auth.models import Editor, PasswordRequest
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.signed_time import SkewTolerantSerializer

SALT = "ravijn.editor-password.v1"
LINK_SECONDS = 3600
WELCOME_SECONDS = 72 * 3600
MAX_TOKEN_LENGTH = 512


USED = "Deze link is al gebruikt of vervangen. Vraag hieronder een nieuwe aan."


class LinkError(Exception):
    """The link is not (or no longer) valid; the message is Dutch."""


def _serializer() -> SkewTolerantSerializer:
    keys = current_app.config["SETTINGS"].secret_keys
    return SkewTolerantSerializer(list(reversed(keys)), salt=SALT)  # signs with the first key


def _fingerprint(editor: Editor) -> str:
    state = f"{editor.password_hash}|{editor.session_version}"
    return hashlib.sha256(state.encode()).hexdigest()[:16]


def token_for(editor: Editor, welcome: bool = False) -> str:
    return _serializer().dumps({"e": editor.id, "p": _fingerprint(editor), "w": int(welcome)})


def editor_for(token: str) -> Editor:
    try:
        if len(token) > MAX_TOKEN_LENGTH:
            raise BadData("too long")
        data, signed_at = _serializer().loads(token, max_age=WELCOME_SECONDS, return_timestamp=True)
        if not data.get("w") and time.time() - signed_at.timestamp() > LINK_SECONDS:
            raise SignatureExpired("older than an hour")
        editor = db.session.get(Editor, int(data["e"]))
    except SignatureExpired:
        raise LinkError("Deze link is verlopen. Vraag hieronder een nieuwe aan.") from None
    except (BadData, KeyError, TypeError, ValueError):
        raise LinkError("Deze link klopt niet. Vraag hieronder een nieuwe aan.") from None
    if editor is None or not editor.is_active or data.get("p") != _fingerprint(editor):
        raise LinkError(USED)
    return editor


def set_password(token: str, password: str) -> Editor:
    """Check the link again (it may have been used in another tab), then set the password only
    if nothing changed it meanwhile (the link counts once, also for two posts at the same
    moment); every session of the editor ends."""
    editor = editor_for(token)
    if not accounts.replace_password(editor, password, Actor(editor.email, editor.id)):
        raise LinkError(USED)
    return editor


def request_link(email: str, actor: Actor | None = None, *, welcome: bool = False) -> bool:
    """Mail a link to an active editor with this address (a beheerder's action, or the worker
    handling a forgot-password request); other addresses get nothing, and no audit line."""
    editor = db.session.scalar(select(Editor).where(Editor.email == email.strip().lower()))
    if editor is None or not editor.is_active:
        return False
    record(actor or Actor("onbekend"), "password-link", editor.email)
    enqueue_after_commit(jobs.SEND_EDITOR_PASSWORD_LINK, editor.id, welcome)
    db.session.commit()
    return True


def submit_request(email: str) -> None:
    """The forgot-password request's whole part: one row, its job after the commit."""
    submitted = PasswordRequest(email=email.strip().lower()[:320])
    db.session.add(submitted)
    db.session.flush()
    enqueue_after_commit(jobs.PROCESS_PASSWORD_REQUEST, submitted.id)
    db.session.commit()


def process_request(request_id: int) -> None:
    """In the worker, once (a redelivered message finds nothing left): a link if the address
    is an active editor's; the request goes in the same commit."""
    submitted = db.session.get(PasswordRequest, request_id)
    if submitted is None:
        return
    email = submitted.email
    db.session.execute(delete(PasswordRequest).where(PasswordRequest.id == request_id))
    if not request_link(email):
        db.session.commit()


def requeue_stranded(now: datetime) -> None:
    """The clock: requests older than a day go, those whose job was lost are queued again."""
    db.session.execute(
        delete(PasswordRequest).where(PasswordRequest.submitted_at < now - timedelta(days=1))
    )
    stranded = db.session.scalars(
        select(PasswordRequest.id)
        .where(PasswordRequest.submitted_at < now - timedelta(minutes=1))
        .limit(100)
    )
    for request_id in stranded:
        enqueue_after_commit(jobs.PROCESS_PASSWORD_REQUEST, request_id)
    db.session.commit()
