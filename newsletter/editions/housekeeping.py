"""Housekeeping of editions: duplicate, delete a draft. Audited."""

from __future__ import annotations

from sqlalchemy import delete

from newsletter.auth.audit import Actor, record
from newsletter.editions import services
from newsletter.editions.errors import EditionError
from newsletter.editions.models import Edition, EditionState
from newsletter.extensions import db


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
