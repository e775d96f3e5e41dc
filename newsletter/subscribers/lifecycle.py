"""The one writer of subscriber state: every change of a subscriber goes through here and leaves
its consent event in the same transaction (or, where the person is erased, an audit event).

sign-up · confirm · re-permission (import without proof) · preferences · unsubscribe · bounce ·
complaint · import · erase · purge. `replay()` says what state a subscriber's events lead to;
a property test holds every sequence of these operations to it.

Public entry points answer the same way whether or not the address is known (the views show one
page), and change rows only when a mail is really sent: at most one confirmation (or "already
subscribed") mail per address per interval, whatever is submitted.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from newsletter.auth.audit import Actor, record
from newsletter.database import utcnow
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.subscribers import suppression
from newsletter.subscribers.addresses import NormalisedEmail
from newsletter.subscribers.consent import CONSENT_VERSION, consent_sha256
from newsletter.subscribers.importer import Row as ImportRow
from newsletter.subscribers.models import (
    ConsentEvent,
    ConsentKind,
    ConsentSource,
    Role,
    Subscriber,
    SubscriberState,
    new_public_id,
)

S = SubscriberState
#: where each kind of event leads; None: the state stays as it was
LEADS_TO: dict[ConsentKind, SubscriberState | None] = {
    ConsentKind.requested: None,  # a new subscriber starts pending; a known one stays put
    ConsentKind.confirmed: S.active,
    ConsentKind.resubscribed: S.active,
    ConsentKind.preferences_changed: None,
    ConsentKind.unsubscribed: S.unsubscribed,
    ConsentKind.bounced: S.bounced,
    ConsentKind.complained: S.complained,
}
#: states from which a fresh double opt-in may bring someone back
CAN_CONFIRM = (S.pending, S.unsubscribed, S.bounced, S.complained)


def replay(kinds: Iterable[ConsentKind]) -> SubscriberState | None:
    """The state a subscriber's events lead to, oldest first (None: no events, no subscriber)."""
    state: SubscriberState | None = None
    for kind in kinds:
        state = LEADS_TO[kind] or state or S.pending
    return state


@dataclass(frozen=True)
class SignupRequest:
    email: NormalisedEmail
    name: str
    gemeente_code: str
    role: Role
    ip_prefix: str | None


@dataclass(frozen=True)
class ProfileChange:
    name: str
    gemeente_code: str
    role: Role


class ConfirmOutcome(enum.Enum):
    awaiting = "awaiting"  # valid link, the reader has not pressed the button yet
    confirmed = "confirmed"
    already_confirmed = "already_confirmed"
    stale = "stale"


class UnknownSubscriber(LookupError):
    """No subscriber behind this (validly signed) token any more, e.g. after erasure."""


def _event(
    subscriber_id: int, kind: ConsentKind, source: ConsentSource, **extra: str | None
) -> None:
    db.session.add(
        ConsentEvent(
            subscriber_id=subscriber_id,
            kind=kind,
            source=source,
            consent_version=CONSENT_VERSION,
            consent_sha256=consent_sha256(),
            **extra,
        )
    )


def _change_state(subscriber_id: int, allowed: Iterable[SubscriberState], **values: object) -> bool:
    """One guarded UPDATE: True when this call made the change (a double click changes nothing)."""
    result = db.session.execute(
        update(Subscriber)
        .where(Subscriber.id == subscriber_id, Subscriber.state.in_(list(allowed)))
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _claim_mail_slot(subscriber_id: int, now: datetime, interval: int) -> bool:
    """Atomically take this interval's one mail for the address; False if it was taken."""
    cutoff = now - timedelta(seconds=interval)
    result = db.session.execute(
        update(Subscriber)
        .where(Subscriber.id == subscriber_id)
        .where(
            or_(Subscriber.confirmation_sent_at.is_(None), Subscriber.confirmation_sent_at < cutoff)
        )
        .values(confirmation_sent_at=now)
    )
    return result.rowcount == 1


def by_key(email_key: str) -> Subscriber | None:
    return db.session.scalar(select(Subscriber).where(Subscriber.email_key == email_key))


def get_by_public_id(public_id: str) -> Subscriber:
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.public_id == public_id))
    if subscriber is None:
        raise UnknownSubscriber(public_id)
    return subscriber


def request_signup(
    req: SignupRequest, interval: int, now: datetime | None = None, *, retried: bool = False
) -> None:
    """Start (or restart) double opt-in. Returns nothing: the caller must not learn the state."""
    now = now or utcnow()
    existing = by_key(req.email.key)
    if existing is None:
        subscriber = Subscriber(
            email=req.email.address,
            email_key=req.email.key,
            name=req.name,
            gemeente_code=req.gemeente_code,
            role=req.role,
            state=S.pending,
            confirmation_sent_at=now,
        )
        db.session.add(subscriber)
        try:
            db.session.flush()
        except IntegrityError:  # a concurrent request created it first: treat it as known
            db.session.rollback()
            if retried:
                raise
            return request_signup(req, interval, now, retried=True)
        _event(subscriber.id, ConsentKind.requested, ConsentSource.form, ip_prefix=req.ip_prefix)
        enqueue_after_commit("send_confirmation", subscriber.id)
        db.session.commit()
        return None

    if not _claim_mail_slot(existing.id, now, interval):
        db.session.rollback()
        return None
    if existing.state == S.active:
        enqueue_after_commit("send_already_subscribed", existing.id)
    else:
        if existing.state == S.pending:  # nobody confirmed these details yet: latest wins
            existing.name, existing.gemeente_code, existing.role = (
                req.name,
                req.gemeente_code,
                req.role,
            )
        else:  # left, bounced or complained: a fresh opt-in, old confirmation links go stale
            existing.confirm_nonce = new_public_id()
        _event(existing.id, ConsentKind.requested, ConsentSource.form, ip_prefix=req.ip_prefix)
        enqueue_after_commit("send_confirmation", existing.id)
    db.session.commit()
    return None


def resend_confirmation(email: NormalisedEmail, interval: int, now: datetime | None = None) -> None:
    """From the expired-link page: only a pending sign-up gets its link again (rate-limited)."""
    now = now or utcnow()
    existing = by_key(email.key)
    if existing is None or existing.state != S.pending:
        return
    if _claim_mail_slot(existing.id, now, interval):
        enqueue_after_commit("send_confirmation", existing.id)
        db.session.commit()
    else:
        db.session.rollback()


def confirmation_state(public_id: str, nonce: str) -> ConfirmOutcome:
    """What a confirmation link would do now, without doing it (GET must not confirm)."""
    subscriber = get_by_public_id(public_id)
    if subscriber.confirm_nonce != nonce:
        return ConfirmOutcome.stale
    if subscriber.state == S.active:
        return ConfirmOutcome.already_confirmed
    return ConfirmOutcome.awaiting


def confirm(public_id: str, nonce: str, now: datetime | None = None) -> ConfirmOutcome:
    """Back to active, once; the conditional UPDATE makes a double click harmless."""
    now = now or utcnow()
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.public_id == public_id))
    if subscriber is None or subscriber.confirm_nonce != nonce:
        return ConfirmOutcome.stale
    was_confirmed_before = subscriber.confirmed_at is not None
    result = db.session.execute(
        update(Subscriber)
        .where(Subscriber.id == subscriber.id, Subscriber.confirm_nonce == nonce)
        .where(Subscriber.state.in_(CAN_CONFIRM))
        .values(state=S.active, confirmed_at=now, unsubscribed_at=None, updated_at=now)
    )
    if result.rowcount != 1:
        db.session.rollback()
        current = db.session.get(Subscriber, subscriber.id)
        if current is not None and current.state == S.active:
            return ConfirmOutcome.already_confirmed
        return ConfirmOutcome.stale
    kind = ConsentKind.resubscribed if was_confirmed_before else ConsentKind.confirmed
    _event(subscriber.id, kind, ConsentSource.form)
    suppression.lift(subscriber.email_key)  # fresh, confirmed consent outweighs an old erasure
    enqueue_after_commit("send_welcome", subscriber.id)
    db.session.commit()
    return ConfirmOutcome.confirmed


def change_preferences(public_id: str, change: ProfileChange) -> bool:
    """Store new details; True if anything changed (and a consent event says which fields)."""
    subscriber = get_by_public_id(public_id)
    changed = [
        field
        for field in ("name", "gemeente_code", "role")
        if getattr(subscriber, field) != getattr(change, field)
    ]
    if not changed:
        return False
    for field in changed:
        setattr(subscriber, field, getattr(change, field))
    _event(
        subscriber.id,
        ConsentKind.preferences_changed,
        ConsentSource.preferences_page,
        detail="gewijzigd: " + ", ".join(changed),
    )
    db.session.commit()
    return True


def unsubscribe(public_id: str, source: ConsentSource, now: datetime | None = None) -> bool:
    """Idempotent: the first call unsubscribes and sends one goodbye; later calls change nothing."""
    now = now or utcnow()
    subscriber = get_by_public_id(public_id)
    was_active = subscriber.state == S.active
    if not _change_state(
        subscriber.id,
        [s for s in S if s != S.unsubscribed],
        state=S.unsubscribed,
        unsubscribed_at=now,
        confirm_nonce=new_public_id(),
        confirmation_sent_at=None,  # coming back at once is allowed: needs a fresh opt-in
    ):
        db.session.rollback()
        return False
    _event(subscriber.id, ConsentKind.unsubscribed, source)
    if was_active:
        enqueue_after_commit("send_goodbye", subscriber.id)
    db.session.commit()
    return True


def bounce(subscriber_id: int, source: ConsentSource, detail: str) -> bool:
    """A hard bounce: an active subscriber is not mailed again until they confirm anew.

    Someone who left stays "unsubscribed"; True when this call changed the state.
    """
    changed = _change_state(subscriber_id, [S.active], state=S.bounced)
    if changed:
        _event(subscriber_id, ConsentKind.bounced, source, detail=detail[:200])
    db.session.commit()
    return changed


def refused_by_relay(subscriber_id: int, code: str) -> bool:
    """A 5xx at RCPT while sending: the address itself is bad."""
    return bounce(subscriber_id, ConsentSource.relay, f"{code} bij RCPT")


def bounce_reported(subscriber_id: int, status: str) -> bool:
    """A DSN that answers our own message reports a hard bounce."""
    return bounce(subscriber_id, ConsentSource.bounce_report, f"DSN {status}")


def complain(subscriber_id: int, detail: str) -> bool:
    """A spam complaint stops all mail at once, whatever the state was."""
    changed = _change_state(
        subscriber_id,
        [s for s in S if s != S.complained],
        state=S.complained,
        confirm_nonce=new_public_id(),
    )
    if changed:
        _event(subscriber_id, ConsentKind.complained, ConsentSource.complaint_report, detail=detail)
    db.session.commit()
    return changed


def erase(subscriber: Subscriber, actor: Actor | None) -> None:
    """Delete the person and their events; a keyed hash on the suppression list and an audit
    line without the address are all that stay (the ledger keeps only counts: SET NULL)."""
    digest = suppression.suppress(subscriber.email_key, "erased")
    db.session.execute(delete(ConsentEvent).where(ConsentEvent.subscriber_id == subscriber.id))
    db.session.delete(subscriber)
    record(actor, "erase", "lezer", f"sleutel {digest[:12]}")  # the hash prefix, not the address
    db.session.commit()


def purge_expired(now: datetime, max_age_seconds: int, actor: Actor | None = None) -> int:
    """Sign-ups never confirmed, whose link has expired, are deleted with their events."""
    cutoff = now - timedelta(seconds=max_age_seconds)
    stale = select(Subscriber.id).where(
        Subscriber.state == S.pending,
        Subscriber.confirmed_at.is_(None),
        Subscriber.created_at < cutoff,
        (Subscriber.confirmation_sent_at.is_(None)) | (Subscriber.confirmation_sent_at < cutoff),
    )
    ids = list(db.session.scalars(stale.limit(5000)))
    if ids:
        db.session.execute(delete(ConsentEvent).where(ConsentEvent.subscriber_id.in_(ids)))
        db.session.execute(delete(Subscriber).where(Subscriber.id.in_(ids)))
        record(actor, "purge", "aanmeldingen", f"{len(ids)} onbevestigd en verlopen")
    db.session.commit()
    return len(ids)


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
            _event(
                found.id,
                ConsentKind.preferences_changed,
                ConsentSource.import_,
                detail="gewijzigd: " + ", ".join(changed),
            )
    fresh = [r for r in chunk if r.email.key not in known]
    if fresh:
        _insert(fresh, counts)


def _insert(fresh: list[ImportRow], counts: ImportCounts) -> None:
    now = utcnow()
    db.session.execute(
        insert(Subscriber.__table__),  # Core: one multi-row INSERT per chunk, no ORM objects
        [
            {
                "public_id": new_public_id(),
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
            enqueue_after_commit("send_repermission", ids[r.email.key])
    db.session.execute(insert(ConsentEvent.__table__), events)
