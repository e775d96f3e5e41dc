"""A reader changes their e-mail address: asked on the preferences page, confirmed only from
the new mailbox (a link to it), with a notice to the old one. The change leaves its consent
event; until it is confirmed nothing is sent to the new address but that link."""

from __future__ import annotations

import enum
import hashlib

from sqlalchemy import select

from newsletter import jobs
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.subscribers.addresses import NormalisedEmail
from newsletter.subscribers.lifecycle.core import add_event, get_by_public_id
from newsletter.subscribers.models import ConsentKind, ConsentSource, Subscriber


class AddressOutcome(enum.Enum):
    changed = "changed"
    same = "same"  # the link was used before: the address is already the new one
    stale = "stale"  # another change was asked after this link, or none is pending
    taken = "taken"  # another reader has this address


def digest(address: str) -> str:
    return hashlib.sha256(address.encode()).hexdigest()[:16]


def request_address_change(public_id: str, new: NormalisedEmail) -> bool:
    """False when the new address is the current one. Two mails after the commit: the link to
    the new mailbox, a notice to the old one."""
    subscriber = get_by_public_id(public_id)
    if new.key == subscriber.email_key:
        return False
    subscriber.pending_email = new.address
    enqueue_after_commit(jobs.SEND_ADDRESS_CONFIRMATION, subscriber.id)
    enqueue_after_commit(jobs.SEND_ADDRESS_NOTICE, subscriber.id)
    db.session.commit()
    return True


def confirm_address_change(public_id: str, expected: str) -> AddressOutcome:
    subscriber = get_by_public_id(public_id)
    pending = subscriber.pending_email
    if pending is None or digest(pending) != expected:
        current = digest(subscriber.email) == expected
        return AddressOutcome.same if current else AddressOutcome.stale
    key = pending.lower()
    owner = db.session.scalar(select(Subscriber.id).where(Subscriber.email_key == key))
    if owner is not None and owner != subscriber.id:
        return AddressOutcome.taken
    subscriber.email, subscriber.email_key, subscriber.pending_email = pending, key, None
    add_event(
        subscriber.id,
        ConsentKind.preferences_changed,
        ConsentSource.preferences_page,
        detail="e-mailadres gewijzigd (bevestigd vanuit de nieuwe mailbox)",
    )
    db.session.commit()
    return AddressOutcome.changed
