"""The editors' audit log: one row per action, written in the same transaction as the action.

Reads through the API are the exception: one counter row per key, hour and answer
(`count_read`), so a busy integration neither grows the table per call nor pushes approvals,
exports and erasures out of sight."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from newsletter.auth.models import AuditEvent
from newsletter.database import utcnow
from newsletter.extensions import db

READ = "api-read"

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
    "login-refused": "inloggen met wachtwoord geweigerd (alleen met VNG-account)",
    "sso-login": "ingelogd met VNG-account",
    "sso-no-role": "VNG-account zonder rol: geen toegang",
    "sso-refused": "inloggen met VNG-account geweigerd",
    "sso-address": "e-mailadres bijgewerkt volgens VNG-account",
    "sso-logout": "uitgelogd bij VNG-account (sessies beëindigd)",
    "break-glass": "noodaccount gebruikt",
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
    "api-key create": "API-sleutel gemaakt",
    "api-key revoke": "API-sleutel ingetrokken",
    "webhook-added": "webhook toegevoegd",
    "webhook-removed": "webhook verwijderd",
    "webhook-enabled": "webhook weer aangezet",
    "webhook-disabled": "webhook uitgezet",
    READ: "API: gegevens opgevraagd (per uur samengevat)",
    "api POST": "API: iets toegevoegd of gedaan (POST)",
    "api PUT": "API: iets vervangen (PUT)",
    "api PATCH": "API: iets gewijzigd (PATCH)",
    "api DELETE": "API: iets verwijderd of gewist (DELETE)",
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


def current_actor() -> Actor:
    """The editor behind this request, as the log names them."""
    return Actor(current_user.email, current_user.id)


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


def count_read(actor: Actor, key_ref: str, status: int, now: datetime | None = None) -> None:
    """Count one read through API key `key_ref` in the row of its hour and answer, made at the
    first read (one statement, so two workers counting at once still share one row). The
    caller commits."""
    now = now or utcnow()
    hour = now.replace(minute=0, second=0, microsecond=0)
    values = {
        "occurred_at": now,
        "last_at": now,
        "editor_id": actor.editor_id,
        "actor": actor.label[:320],
        "action": READ,
        "target": key_ref[:80],
        "detail": f"status {status}",
        "times": 1,
        "summary_key": f"{READ} {key_ref} {hour:%Y-%m-%dT%H} {status}"[:120],
    }
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    table = AuditEvent.__table__  # Core, for the upsert (the ORM has no ON CONFLICT)
    statement = dialect.insert(table).values(**values)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.summary_key],
            set_={"times": table.c.times + 1, "last_at": statement.excluded.last_at},
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
