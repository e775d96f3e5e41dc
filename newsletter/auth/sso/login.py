"""A login through the provider, after its ID token was checked: the account is made on first
login (just in time) or found, its roles are set from the claims at every login (so a mover or
leaver loses them at the next login at the latest), and the session is tied to the provider's
session id for back-channel logout. Every step is in the audit log."""

from __future__ import annotations

from flask import session
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from newsletter.auth import sessions
from newsletter.auth.audit import Actor, record
from newsletter.auth.models import Editor, SsoSession
from newsletter.auth.sso.claims import Person, Refused
from newsletter.extensions import db
from newsletter.sso_settings import SsoSettings

#: the actor of what the provider's claims decide
PROVIDER = Actor("VNG-account")
#: not a hash any password matches: such an account logs in only through SSO
NO_PASSWORD = "!"  # noqa: S105


def _find(person: Person, sso: SsoSettings) -> Editor | None:
    editor = db.session.scalar(select(Editor).where(Editor.sso_subject == person.subject))
    if editor is not None:
        return editor
    editor = db.session.scalar(select(Editor).where(Editor.email == person.email))
    if editor is None:
        return None
    if editor.sso_subject is not None or (sso.break_glass and editor.email == sso.break_glass):
        # another subject holds this address, or it is the local emergency account
        raise Refused(
            f"Dit account kan niet met je VNG-account inloggen. Vraag {sso.helpdesk} om hulp."
        )
    return editor  # a local account of the same person: from now on it logs in through SSO


def _set_roles(editor: Editor, roles: tuple[str, ...]) -> None:
    """Roles as the claims say. No "keep a beheerder" rule here: the provider decides, and the
    break-glass account (docs/operations.md#sso-entra-id) stays a local beheerder."""
    wanted = ",".join(roles)
    if editor.roles == wanted:
        return
    editor.roles = wanted
    actor = Actor(PROVIDER.label, editor.id)
    record(actor, "roles-changed", editor.email, f"volgens VNG-account: {', '.join(roles) or '-'}")
    sessions.end_everywhere(editor, actor, "rollen gewijzigd door VNG-account")


def _follow_address(editor: Editor, email: str) -> None:
    """The provider's address is the person's (a new name, a new domain), unless another
    account here holds it."""
    if editor.email == email or db.session.scalar(select(Editor.id).where(Editor.email == email)):
        return
    record(Actor(PROVIDER.label, editor.id), "sso-address", editor.email, f"nu {email}")
    editor.email = email


def _create(person: Person, sso: SsoSettings) -> Editor:
    """The account of a first login. Two first logins of one person at the same moment (two
    tabs, a double click) both found nothing: the second insert meets the unique address or
    subject, and that login goes on with the account the first one made."""
    made = Editor(
        email=person.email,
        name=person.name,
        password_hash=NO_PASSWORD,
        roles="",
        sso_subject=person.subject,
    )
    if db.engine.dialect.name != "postgresql":  # SQLite has one writer at a time: no race
        db.session.add(made)
        db.session.flush()
    else:
        try:
            with db.session.begin_nested():  # only the insert is undone, not the transaction
                db.session.add(made)
        except IntegrityError:
            found = _find(person, sso)  # committed by now: the insert waited for it
            if found is None:
                raise
            return found
    record(Actor(PROVIDER.label, made.id), "editor-created", made.email, "via VNG-account")
    return made


def log_in(person: Person, sso: SsoSettings) -> Editor | None:
    """The editor, logged in; None (and the roles taken away) when no claim maps to a role."""
    editor = _find(person, sso)
    if editor is not None and not editor.is_active:
        raise Refused(f"Je account is hier uitgeschakeld. Vraag {sso.helpdesk} om hulp.")
    if editor is None and not person.roles:
        record(PROVIDER, "sso-no-role", person.email)
        db.session.commit()
        return None
    if editor is None:
        editor = _create(person, sso)
    editor.sso_subject = person.subject
    editor.password_hash = NO_PASSWORD
    editor.name = person.name or editor.name
    _follow_address(editor, person.email)
    _set_roles(editor, person.roles)
    if not person.roles:
        record(Actor(PROVIDER.label, editor.id), "sso-no-role", editor.email)
        db.session.commit()
        return None
    tracked = SsoSession(editor_id=editor.id, sid=person.sid or f"sub:{person.subject}")
    db.session.add(tracked)
    sessions.start(editor, action="sso-login", detail=", ".join(person.roles))
    session["sso"] = tracked.id  # the second factor was the provider's: see sessions.check
    return editor


def refused(claims: dict, why: str) -> None:
    """A refused login through the provider (no second factor, disabled, no address): audited."""
    email = str(claims.get("email") or claims.get("preferred_username") or claims.get("sub"))
    record(PROVIDER, "sso-refused", email.lower(), why)
    db.session.commit()


def password_allowed(email: str, sso: SsoSettings | None, production: bool) -> bool:
    """With SSO on in production only the break-glass account logs in with a password."""
    if sso is None or not production:
        return True
    return bool(sso.break_glass) and email.strip().lower() == sso.break_glass
