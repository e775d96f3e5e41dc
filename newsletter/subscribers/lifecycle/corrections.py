"""An editor (or another system of the VNG, through the API) corrects a reader's details (a
typo in the name, a move to another municipality, a new role): the same change as on the
preferences page, with its consent event and an audit line saying who did it."""

from __future__ import annotations

from newsletter.auth.audit import Actor, record
from newsletter.extensions import db
from newsletter.subscribers.lifecycle.core import UnknownSubscriber, add_event
from newsletter.subscribers.lifecycle.journey import ProfileChange
from newsletter.subscribers.models import (
    ConsentKind,
    ConsentSource,
    Subscriber,
    changed_words,
)


def correct(
    subscriber_id: int,
    change: ProfileChange,
    actor: Actor,
    source: ConsentSource = ConsentSource.editor,
) -> list[str]:
    """The fields that changed (empty: nothing to store). `source`: the editor's page, or
    another system through the API."""
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None:
        raise UnknownSubscriber(subscriber_id)
    changed = [
        field
        for field in ("name", "gemeente_code", "role")
        if getattr(subscriber, field) != getattr(change, field)
    ]
    if not changed:
        return []
    for field in changed:
        setattr(subscriber, field, getattr(change, field))
    words = changed_words(changed)
    add_event(
        subscriber.id,
        ConsentKind.preferences_changed,
        source,
        detail=f"gecorrigeerd: {words}",
    )
    record(actor, "reader-corrected", f"lezer {subscriber.id}", words)
    db.session.commit()
    return changed
