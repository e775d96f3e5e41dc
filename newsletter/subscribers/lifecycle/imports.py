"""Imported rows, chunk by chunk, with the consent events they need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update

from newsletter import jobs
from newsletter.database import utcnow
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.subscribers import suppression
from newsletter.subscribers.addresses import NormalisedEmail
from newsletter.subscribers.consent import CONSENT_VERSION, consent_sha256
from newsletter.subscribers.lifecycle.core import (
    S,
    add_event,
)
from newsletter.subscribers.models import (
    ConsentEvent,
    ConsentKind,
    ConsentSource,
    Role,
    Subscriber,
    changed_words,
    new_public_id,
)
from newsletter.webhooks import events as webhook_events


@dataclass(frozen=True)
class ImportRow:
    """One checked row of an import file (subscribers/imports/checks.py reads them)."""

    line: int
    name: str
    email: NormalisedEmail
    gemeente_code: str
    role: Role
    consent_at: datetime | None
    consent_source: str | None


@dataclass
class ImportCounts:
    active: int = 0  # new, with proof of consent
    repermission: int = 0  # new, asked to confirm first
    merged: int = 0  # known and still subscribed: details updated
    left_alone: int = 0  # known but left, bounced or complained: never subscribed again here
    suppressed: int = 0  # erased earlier: refused


def import_chunk(chunk: list[ImportRow], counts: ImportCounts) -> None:
    """Write one chunk of checked import rows (Core statements; the caller commits or rolls
    back the whole file). With proof of consent a new subscriber is active at once; without
    it they stay pending and get a re-permission mail after the commit."""
    hashes = {suppression.address_hash(r.email.key): r for r in chunk}
    refused = suppression.suppressed_hashes(list(hashes))
    counts.suppressed += len(refused)
    chunk = [r for h, r in hashes.items() if h not in refused]
    known = {
        row.email_key: row
        for row in db.session.execute(
            select(
                Subscriber.id,
                Subscriber.email_key,
                Subscriber.state,
                Subscriber.name,
                Subscriber.gemeente_code,
                Subscriber.role,
            ).where(Subscriber.email_key.in_([r.email.key for r in chunk]))
        )
    }
    for row in chunk:
        found = known.get(row.email.key)
        if found is None:
            continue
        if found.state not in (S.active, S.pending):
            counts.left_alone += 1
            continue
        counts.merged += 1
        new = {"name": row.name, "gemeente_code": row.gemeente_code, "role": row.role}
        changed = [field for field, value in new.items() if getattr(found, field) != value]
        if changed:
            db.session.execute(update(Subscriber).where(Subscriber.id == found.id).values(**new))
            add_event(
                found.id,
                ConsentKind.preferences_changed,
                ConsentSource.import_,
                detail="gewijzigd: " + changed_words(changed),
            )
    fresh = [r for r in chunk if r.email.key not in known]
    if fresh:
        _insert(fresh, counts)


def _insert(fresh: list[ImportRow], counts: ImportCounts) -> None:
    now = utcnow()
    public_ids = {r.email.key: new_public_id() for r in fresh}
    db.session.execute(
        insert(Subscriber.__table__),  # Core: one multi-row INSERT per chunk, no ORM objects
        [
            {
                "public_id": public_ids[r.email.key],
                "confirm_nonce": new_public_id(),
                "email": r.email.address,
                "email_key": r.email.key,
                "name": r.name,
                "gemeente_code": r.gemeente_code,
                "role": r.role,
                "state": S.active if r.consent_at else S.pending,
                "confirmed_at": r.consent_at,
                "confirmation_sent_at": None if r.consent_at else now,
                "created_at": now,
                "updated_at": now,
            }
            for r in fresh
        ],
    )
    ids = dict(
        db.session.execute(
            select(Subscriber.email_key, Subscriber.id).where(
                Subscriber.email_key.in_([r.email.key for r in fresh])
            )
        ).all()
    )
    events = []
    for r in fresh:
        proof = f"bewijs: {r.consent_source}, {r.consent_at:%Y-%m-%d}" if r.consent_at else None
        events.append(
            {
                "subscriber_id": ids[r.email.key],
                "kind": ConsentKind.confirmed if proof else ConsentKind.requested,
                "source": ConsentSource.import_,
                "occurred_at": now,
                "consent_version": CONSENT_VERSION,
                "consent_sha256": consent_sha256(),
                "detail": proof or "import zonder bewijs: herbevestiging gevraagd",
            }
        )
        if proof:
            counts.active += 1
        else:
            counts.repermission += 1
            enqueue_after_commit(jobs.SEND_REPERMISSION, ids[r.email.key])
    db.session.execute(insert(ConsentEvent.__table__), events)
    told = [
        (
            {
                "reader": {
                    "id": public_ids[r.email.key], "email": r.email.address, "name": r.name,
                    "gemeente_code": r.gemeente_code, "role": r.role.value, "state": "active",
                },
                "source": ConsentSource.import_.value,
            },
            public_ids[r.email.key],
        )
        for r in fresh
        if r.consent_at
    ]  # fmt: skip
    webhook_events.emit_many("reader.confirmed", told)
