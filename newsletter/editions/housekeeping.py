"""Housekeeping of editions: check before scheduling, duplicate, delete a draft. Audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from newsletter.auth.audit import Actor, record
from newsletter.database import utcnow
from newsletter.editions import approval, services
from newsletter.editions.errors import EditionError
from newsletter.editions.models import EDITABLE, Edition, EditionState
from newsletter.extensions import db
from newsletter.subscribers import segments


def check_schedulable(edition: Edition, when: datetime, actor: Actor) -> int:
    """How many readers it would go to now; EditionError (in Dutch) when it may not be planned."""
    if edition.state not in EDITABLE:
        raise EditionError("Alleen een concept of ingeplande editie kan worden ingepland.")
    rendered = services.check_ready(edition, "inplannen")
    if when <= utcnow():
        raise EditionError("Kies een moment in de toekomst.")
    approval.required(edition, rendered, actor)
    recipients = segments.count(segments.resolve(edition.segment))
    if recipients == 0:
        raise EditionError("Er zijn (nog) geen aangemelde lezers in de doelgroep van deze editie.")
    return recipients


def duplicate(edition: Edition, actor: Actor) -> Edition:
    """A new draft with the same text (a template for the next edition); the original's
    writers may not approve it, nor may whoever copied it."""
    copy, _ = services.create(edition.source, actor.editor_id, copy_of=edition)
    record(actor, "duplicate", f"editie {copy.id}", f"kopie van editie {edition.id}")
    db.session.commit()
    return copy


def delete_draft(edition: Edition, actor: Actor) -> None:
    """Only a draft (nothing of it was ever sent); the audit keeps its title."""
    result = db.session.execute(
        delete(Edition).where(Edition.id == edition.id, Edition.state == EditionState.draft)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise EditionError("Alleen een concept kan worden verwijderd.")
    record(actor, "delete", f"editie {edition.id}", edition.title[:200])
    db.session.commit()
