"""The reader's own steps: sign up, confirm, change preferences (leaving: `leaving`)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update

from newsletter import jobs
from newsletter.database import utcnow
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.subscribers import suppression
from newsletter.subscribers.addresses import NormalisedEmail
from newsletter.subscribers.lifecycle.core import (
    CAN_CONFIRM,
    S,
    add_event,
    by_key,
    get_by_public_id,
    insert_new,
)
from newsletter.subscribers.lifecycle.leaving import Returned, back_to_active
from newsletter.subscribers.models import (
    ConsentKind,
    ConsentSource,
    LinkKind,
    Role,
    SubmittedSignup,
    Subscriber,
    changed_words,
    new_public_id,
)


@dataclass(frozen=True)
class SignupRequest:
    email: NormalisedEmail
    name: str
    gemeente_code: str
    role: Role
    ip_prefix: str | None
    bron: str | None = None


@dataclass(frozen=True)
class ProfileChange:
    name: str
    gemeente_code: str
    role: Role


class ConfirmOutcome(enum.Enum):
    awaiting = "awaiting"  # valid link, the reader has not pressed the button yet
    confirmed = "confirmed"
    returned = "returned"  # confirmed within the return window: no goodbye, no welcome
    already_confirmed = "already_confirmed"
    stale = "stale"


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


def request_signup(req: SignupRequest, interval: int, now: datetime | None = None) -> None:
    """Start (or restart) double opt-in. Returns nothing: the caller must not learn the state."""
    _start_opt_in(req, interval, now or utcnow())
    db.session.commit()


def _start_opt_in(
    req: SignupRequest, interval: int, now: datetime, *, retried: bool = False
) -> None:
    """request_signup's work, left in the session for the caller to commit (process_signup
    commits it together with the removal of the submitted form)."""
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
        if not insert_new(subscriber):  # a concurrent request created it first: known now
            if retried:
                raise
            return _start_opt_in(req, interval, now, retried=True)
        _ask_to_confirm(subscriber.id, req)
        return None

    if not _claim_mail_slot(existing.id, now, interval):
        return None  # this interval's mail went already: nothing changed
    if existing.state == S.active:
        enqueue_after_commit(jobs.SEND_ALREADY_SUBSCRIBED, existing.id)
    else:
        if existing.state == S.pending:  # nobody confirmed these details yet: latest wins
            existing.name, existing.gemeente_code, existing.role = (
                req.name,
                req.gemeente_code,
                req.role,
            )
        else:  # left, bounced or complained: a fresh opt-in, old confirmation links go stale
            existing.confirm_nonce = new_public_id()
        _ask_to_confirm(existing.id, req)
    return None


def _ask_to_confirm(subscriber_id: int, req: SignupRequest) -> None:
    """The form's request as a consent event, and the confirmation mail after the commit."""
    add_event(
        subscriber_id,
        ConsentKind.requested,
        ConsentSource.form,
        ip_prefix=req.ip_prefix,
        bron=req.bron,
    )
    enqueue_after_commit(jobs.SEND_CONFIRMATION, subscriber_id)


def submit_signup(req: SignupRequest) -> None:
    """The web request's whole part: one row, its message after the commit (equal work for
    every address; `process_signup` in the worker decides what happens)."""
    submitted = SubmittedSignup(
        email=req.email.address,
        email_key=req.email.key,
        name=req.name,
        gemeente_code=req.gemeente_code,
        role=req.role,
        ip_prefix=req.ip_prefix,
        bron=req.bron,
    )
    db.session.add(submitted)
    db.session.flush()
    enqueue_after_commit(jobs.PROCESS_SIGNUP, submitted.id)
    db.session.commit()


def process_signup(submitted_id: int, interval: int) -> None:
    """Handle a submitted form once (a redelivered message finds nothing left to do): the
    opt-in and the removal of the form commit together, in one round of the database."""
    submitted = db.session.get(SubmittedSignup, submitted_id)
    if submitted is None:
        return
    req = SignupRequest(
        email=NormalisedEmail(address=submitted.email, key=submitted.email_key),
        name=submitted.name,
        gemeente_code=submitted.gemeente_code,
        role=submitted.role,
        ip_prefix=submitted.ip_prefix,
        bron=submitted.bron,
    )
    _start_opt_in(req, interval, submitted.submitted_at)
    db.session.execute(delete(SubmittedSignup).where(SubmittedSignup.id == submitted_id))
    db.session.commit()


#: what a typed address may get by mail again: (the state it must be in, the mail's job)
LINK_MAILS = {
    LinkKind.confirmation: (S.pending, jobs.SEND_CONFIRMATION),
    LinkKind.preferences: (S.active, jobs.SEND_PREFERENCES_LINK),
}


def mail_link_once(
    kind: LinkKind, email: NormalisedEmail, interval: int, now: datetime | None = None
) -> None:
    """A link by mail to a subscriber in the state `kind` needs, at most once per interval;
    else nothing. Left in the session for the caller to commit."""
    state, job = LINK_MAILS[kind]
    existing = by_key(email.key)
    if existing is None or existing.state != state:
        return
    if _claim_mail_slot(existing.id, now or utcnow(), interval):
        enqueue_after_commit(job, existing.id)


def resend_confirmation(email: NormalisedEmail, interval: int, now: datetime | None = None) -> None:
    """An expired confirmation link: only a pending sign-up gets its link again (rate-limited)."""
    mail_link_once(LinkKind.confirmation, email, interval, now)
    db.session.commit()


def request_preferences_link(
    email: NormalisedEmail, interval: int, now: datetime | None = None
) -> None:
    """An expired preferences link: an active subscriber gets a fresh one (rate-limited)."""
    mail_link_once(LinkKind.preferences, email, interval, now)
    db.session.commit()


def request_manage_link(public_id: str) -> None:
    """Asked on the page behind a preferences link: a manage link to the address on file (the
    caller limits how often)."""
    subscriber = get_by_public_id(public_id)
    enqueue_after_commit(jobs.SEND_MANAGE_LINK, subscriber.id)
    db.session.commit()


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
    back = back_to_active(
        subscriber.id,
        CAN_CONFIRM,
        Subscriber.confirm_nonce == nonce,
        confirmed_at=now,
        unsubscribed_at=None,
    )
    if back is None:
        db.session.rollback()
        current = db.session.get(Subscriber, subscriber.id)
        if current is not None and current.state == S.active:
            return ConfirmOutcome.already_confirmed
        return ConfirmOutcome.stale
    kind = ConsentKind.resubscribed if was_confirmed_before else ConsentKind.confirmed
    add_event(subscriber.id, kind, ConsentSource.form)
    suppression.lift(subscriber.email_key)  # fresh, confirmed consent outweighs an old erasure
    if back is Returned.quietly:
        db.session.commit()
        return ConfirmOutcome.returned
    enqueue_after_commit(jobs.SEND_WELCOME, subscriber.id)
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
    add_event(
        subscriber.id,
        ConsentKind.preferences_changed,
        ConsentSource.preferences_page,
        detail="gewijzigd: " + changed_words(changed),
    )
    db.session.commit()
    return True
