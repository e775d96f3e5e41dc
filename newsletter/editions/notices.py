"""Mails to editors about an edition: approval asked, or a scheduled edition that did not go
out (late after downtime, or no longer valid). Sent by a worker after the commit, through the
one way out; to every active eindredacteur (or, if there is none, every active editor)."""

from __future__ import annotations

from newsletter.auth import accounts, audit, mails
from newsletter.auth.roles import EINDREDACTEUR
from newsletter.editions.models import Edition
from newsletter.extensions import db
from newsletter.urls import external_url

APPROVAL_ASKED, SCHEDULE_MISSED = 1, 2  # the queue carries numbers only


def _texts(kind: int, edition: Edition) -> tuple[str, str, str]:
    title = edition.title or "zonder titel"
    if kind == APPROVAL_ASKED:
        asked = audit.last("approval-requested", f"editie {edition.id}")
        who = asked.actor if asked else "Een redacteur"
        return (
            f"Goedkeuring gevraagd: {title}",
            "Goedkeuring gevraagd",
            f"{who} vraagt een eindredacteur de editie ‘{title}’ goed te keuren. Bekijk het "
            "voorbeeld en het aantal lezers, en keur goed op de pagina van de editie.",
        )
    return (
        f"Niet verzonden: {title}",
        "Een ingeplande editie is niet verzonden",
        f"De editie ‘{title}’ is niet op het geplande moment verzonden en is weer een "
        f"concept. {edition.state_note or ''} Plan haar opnieuw in of verstuur haar nu.",
    )


def send(kind: int, edition_id: int) -> int:
    """The number of editors mailed (0 when the edition is gone)."""
    edition = db.session.get(Edition, edition_id)
    if edition is None:
        return 0
    active = [e for e in accounts.all_editors() if e.is_active]
    chiefs = [e for e in active if EINDREDACTEUR in e.role_list]
    subject, heading, intro = _texts(kind, edition)
    url = external_url("editions.edit", edition_id=str(edition.id))
    return mails.send_notice(chiefs or active, subject, heading, intro, url)
