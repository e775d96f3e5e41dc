"""The editors' audit log: one row per action, written in the same transaction as the action."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from newsletter.auth.models import AuditEvent
from newsletter.extensions import db

ACTION_LABELS = {
    "publish": "verstuurd",
    "schedule": "ingepland",
    "pause": "gepauzeerd",
    "resume": "hervat",
    "cancel": "geannuleerd",
    "import": "lezers geïmporteerd",
    "erase": "lezer gewist",
    "export": "lezers geëxporteerd",
    "purge": "verlopen aanmeldingen verwijderd",
    "test-send": "testmail",
    "test-send-refused": "testmail geweigerd",
    "test-address-added": "testadres toegevoegd",
    "test-address-confirmed": "testadres bevestigd",
    "test-address-removed": "testadres verwijderd",
    "inzage": "gegevens van een lezer ingezien",
    "login": "ingelogd",
    "login-failed": "inloggen mislukt",
    "sessions-ended": "sessies beëindigd",
    "editor-created": "redacteur aangemaakt",
    "editor-enabled": "redacteur weer ingeschakeld",
    "unschedule": "terug naar concept",
    "approve": "goedgekeurd",
    "approval-requested": "goedkeuring gevraagd",
    "approval-voided": "goedkeuring vervallen",
    "2fa-enrolled": "tweestapsverificatie ingesteld",
    "2fa-reset": "tweestapsverificatie gewist",
    "2fa-failed": "foute code",
    "recovery-code-used": "herstelcode gebruikt",
    "password-link": "wachtwoordlink gestuurd",
    "roles-changed": "rollen gewijzigd",
    "editor-disabled": "redacteur uitgeschakeld",
    "reader-viewed": "gegevens van een lezer bekeken",
    "reader-corrected": "gegevens van een lezer gecorrigeerd",
    "duplicate": "editie gekopieerd",
    "edition-import": "editie geïmporteerd",
    "delete": "concept verwijderd",
}


def label(action: str) -> str:
    """The Dutch words for an action on the pages (the code stays in the database)."""
    return ACTION_LABELS.get(action, action)


@dataclass(frozen=True)
class Actor:
    label: str  # an editor's address, "opdrachtregel" or "planner"
    editor_id: int | None = None


CLI = Actor("opdrachtregel")
CLOCK = Actor("planner")
AUTOMATIC = Actor("verzending (automatisch)")


def record(actor: Actor | None, action: str, target: str = "", detail: str = "") -> None:
    """Add the row to the session; the caller's commit stores it with the action itself."""
    actor = actor or CLI
    db.session.add(
        AuditEvent(
            editor_id=actor.editor_id,
            actor=actor.label[:320],
            action=action,
            target=target[:80],
            detail=detail[:300],
        )
    )


def recent(limit: int = 50) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))


def last(action: str, target: str) -> AuditEvent | None:
    """The newest line of one kind about one thing (e.g. the last test-send of an edition)."""
    return db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.target == target)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
