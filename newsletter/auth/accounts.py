"""Editor accounts: create, authenticate, disable, roles, passwords. Only a scrypt hash of a
password is stored; every change is audited; there is always an enabled beheerder."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from newsletter.auth import password_rules, second_factor
from newsletter.auth import roles as role_names
from newsletter.auth.audit import CLI, Actor, record
from newsletter.auth.models import Editor
from newsletter.auth.sessions import end_everywhere
from newsletter.database import utcnow
from newsletter.extensions import db


class AccountError(Exception):
    """A rule said no; the message is Dutch and shown to the editor or on the command line."""


def check_password(password: str) -> None:
    """Refuse a password that is too short or too easy to guess (auth/password_rules.py)."""
    reason = password_rules.problem(password)
    if reason is not None:
        raise AccountError(reason)


def create_editor(
    email: str,
    password: str,
    name: str = "",
    roles: tuple[str, ...] | None = None,
    actor: Actor | None = None,
) -> Editor:
    """Without `roles`: the very first editor gets every role (someone must manage the rest),
    later ones are redacteur only (least privilege)."""
    email = email.strip().lower()
    if roles is None:
        first = db.session.scalar(select(Editor.id).limit(1)) is None
        roles = role_names.ALL if first else (role_names.REDACTEUR,)
    if "@" not in email or len(email) > 320:
        raise AccountError("Dat is geen e-mailadres.")
    check_password(password)
    if db.session.scalar(select(Editor).where(Editor.email == email)):
        raise AccountError(f"Er is al een redacteur met {email}.")
    editor = Editor(
        email=email,
        name=name,
        password_hash=generate_password_hash(password),
        roles=",".join(roles),
    )
    db.session.add(editor)
    record(actor or CLI, "editor-created", email, ", ".join(roles))
    db.session.commit()
    return editor


def authenticate(email: str, password: str) -> Editor | None:
    editor = db.session.scalar(select(Editor).where(Editor.email == email.strip().lower()))
    # an account of single sign-on logs in only there (a password set for it counts for nothing)
    if editor is None or not editor.is_active or editor.sso_subject is not None:
        check_password_hash(_dummy_hash(), password)  # same time whether or not the address exists
        _failed(email)
        return None
    if not check_password_hash(editor.password_hash, password):
        _failed(email)
        return None
    return editor


def _failed(email: str) -> None:
    """Audited with a keyed hash of the typed text, never the text (a password typed into the
    address field must not reach the log, nor a hash anyone could try guesses against)."""
    record(Actor("onbekend"), "login-failed", f"adres {keyed_hash(email)}")
    db.session.commit()


def refused_password(email: str) -> None:
    """Password login is off for this address (single sign-on in production): decided on the
    address alone, before any password is checked, so nothing is learnt; audited."""
    record(Actor("onbekend"), "login-refused", f"adres {keyed_hash(email)}")
    db.session.commit()


def keyed_hash(text: str) -> str:
    """12 hex digits of an HMAC under the signing key: the same address gives the same mark in
    the audit, and nobody without the key can test guesses against it."""
    key = current_app.config["SETTINGS"].secret_keys[0].encode()
    return hmac.new(key, text.strip().lower().encode(), hashlib.sha256).hexdigest()[:12]


def get(editor_id: int) -> Editor | None:
    return db.session.get(Editor, editor_id)


def by_email(email: str) -> Editor:
    editor = db.session.scalar(select(Editor).where(Editor.email == email.strip().lower()))
    if editor is None:
        raise AccountError(f"Er is geen redacteur met {email}.")
    return editor


def all_editors() -> list[Editor]:
    return list(db.session.scalars(select(Editor).order_by(Editor.email)))


def load_user(editor_id: str) -> Editor | None:
    """Flask-Login's user loader: the session holds the id as text."""
    return get(int(editor_id)) if editor_id.isdigit() else None


def _keeps_a_beheerder(changed: Editor, roles: str, enabled: bool) -> None:
    others = [
        e
        for e in all_editors()
        if e.id != changed.id and e.is_active and e.has_role(role_names.BEHEERDER)
    ]
    if not others and not (enabled and role_names.BEHEERDER in roles.split(",")):
        raise AccountError(
            "Dan is er geen beheerder meer. Maak eerst een andere beheerder "
            "(flask editors create … --roles beheerder)."
        )


def set_roles(email: str, roles: tuple[str, ...], actor: Actor | None = None) -> Editor:
    editor = by_email(email)
    if editor.sso_subject is not None:  # set again from the claims at the next login anyway
        raise AccountError(
            f"De rollen van {editor.email} komen uit de groepen bij VNG. Wijzig ze daar, "
            "of schakel de redacteur hier uit."
        )
    _keeps_a_beheerder(editor, ",".join(roles), editor.is_active)
    editor.roles = ",".join(roles)
    record(actor or CLI, "roles-changed", editor.email, ", ".join(roles))
    end_everywhere(editor, actor or CLI, "rollen gewijzigd")
    db.session.commit()
    return editor


def disable(email: str, actor: Actor | None = None) -> Editor:
    editor = by_email(email)
    _keeps_a_beheerder(editor, editor.roles, enabled=False)
    editor.disabled_at = utcnow()
    record(actor or CLI, "editor-disabled", editor.email)
    end_everywhere(editor, actor or CLI, "uitgeschakeld")
    db.session.commit()
    return editor


def enable(email: str, actor: Actor | None = None) -> Editor:
    editor = by_email(email)
    editor.disabled_at = None
    record(actor or CLI, "editor-enabled", editor.email)
    db.session.commit()
    return editor


def reset_password(email: str, password: str, actor: Actor | None = None) -> Editor:
    editor = by_email(email)
    check_password(password)
    editor.password_hash = generate_password_hash(password)
    end_everywhere(editor, actor or CLI, "wachtwoord gewijzigd")
    db.session.commit()
    return editor


def replace_password(editor: Editor, password: str, actor: Actor) -> bool:
    """Set a new password only if the editor's password and session version are still the ones
    read with `editor`; False (nothing changed) when something changed them since. The
    conditional UPDATE makes a password link count once, even for two posts at the same moment
    (the second waits for the first's row lock, then finds the old hash gone)."""
    check_password(password)
    result = db.session.execute(
        update(Editor)
        .where(
            Editor.id == editor.id,
            Editor.password_hash == editor.password_hash,
            Editor.session_version == editor.session_version,
        )
        .values(password_hash=generate_password_hash(password))
    )
    if result.rowcount != 1:
        db.session.rollback()
        return False
    end_everywhere(editor, actor, "wachtwoord gewijzigd")  # the row is ours until the commit
    db.session.commit()
    return True


def reset_second_factor(email: str, actor: Actor | None = None) -> Editor:
    """The editor lost the phone and the recovery codes: enrol again at the next login."""
    editor = by_email(email)
    second_factor.reset(editor, actor or CLI)
    db.session.commit()
    return editor


def log_out_everywhere(email: str, actor: Actor | None = None) -> Editor:
    editor = by_email(email)
    end_everywhere(editor, actor or CLI, "overal uitgelogd")
    db.session.commit()
    return editor


def _dummy_hash() -> str:
    cached = current_app.extensions.get("dummy_password_hash")
    if cached is None:
        cached = current_app.extensions["dummy_password_hash"] = generate_password_hash("x" * 16)
    return cached
