"""Readers another system of the VNG registers (the JSON API): with proof of consent they are
active at once, with the same two events a sign-up through the form leaves (requested,
confirmed); without it they stay pending and get the re-permission mail, like an import.

An address that was erased, or that is known already, is refused: only the person can bring
an erased or departed address back, through the form and its confirmation mail.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from newsletter import jobs
from newsletter.database import utcnow
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.subscribers import suppression
from newsletter.subscribers.addresses import NormalisedEmail
from newsletter.subscribers.lifecycle.core import S, add_event, by_key, insert_new
from newsletter.subscribers.models import ConsentKind, ConsentSource, Role, Subscriber


@dataclass(frozen=True)
class Proof:
    """When and where the person gave consent (a form at a congress, the CRM's own opt-in)."""

    given_on: date
    source: str


@dataclass(frozen=True)
class NewSubscriber:
    email: NormalisedEmail
    name: str
    gemeente_code: str
    role: Role
    proof: Proof | None


class Refusal(enum.Enum):
    erased = "erased"  # on the suppression list: only the person may come back
    known = "known"  # the address is a reader already (any state)


class RegistrationRefused(Exception):
    def __init__(self, why: Refusal, public_id: str | None = None) -> None:
        super().__init__(why.value)
        self.why = why
        self.public_id = public_id


def register(new: NewSubscriber, source: ConsentSource) -> Subscriber:
    """The new reader, committed with its events (and its mail queued after the commit)."""
    if suppression.is_suppressed(new.email.key):
        raise RegistrationRefused(Refusal.erased)
    known = by_key(new.email.key)
    if known is not None:
        raise RegistrationRefused(Refusal.known, known.public_id)
    now = utcnow()
    subscriber = Subscriber(
        email=new.email.address,
        email_key=new.email.key,
        name=new.name,
        gemeente_code=new.gemeente_code,
        role=new.role,
        state=S.active if new.proof else S.pending,
        confirmed_at=now if new.proof else None,
        confirmation_sent_at=None if new.proof else now,
    )
    if not insert_new(subscriber):  # registered at the same moment by another call
        found = by_key(new.email.key)
        raise RegistrationRefused(Refusal.known, found.public_id if found else None)
    if new.proof:
        proof = f"bewijs: {new.proof.source}, {new.proof.given_on:%Y-%m-%d}"
        add_event(subscriber.id, ConsentKind.requested, source, detail=proof)
        add_event(subscriber.id, ConsentKind.confirmed, source, detail=proof)
    else:
        add_event(
            subscriber.id,
            ConsentKind.requested,
            source,
            detail="zonder bewijs: herbevestiging gevraagd",
        )
        enqueue_after_commit(jobs.SEND_REPERMISSION, subscriber.id)
    db.session.commit()
    return subscriber
