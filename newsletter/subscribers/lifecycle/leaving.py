"""Leaving and coming back: unsubscribe, the goodbye that waits for the return window, the way
back to active, and "Afmelden met uw e-mailadres".

The goodbye is queued after the commit, delayed by the return window, and `goodbye_due_at`
remembers it. When its time comes the worker takes it only if the reader is still unsubscribed
and the time has come (a conditional UPDATE: two messages send one mail). A reader who comes
back before clears it: then neither the goodbye nor a welcome goes out.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, delete, update

from newsletter import jobs
from newsletter.database import utcnow
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.subscribers.addresses import NormalisedEmail
from newsletter.subscribers.lifecycle.core import (
    S,
    add_event,
    by_key,
    change_state,
    get_by_public_id,
)
from newsletter.subscribers.models import (
    ConsentKind,
    ConsentSource,
    Subscriber,
    SubscriberState,
    UnsubscribeRequest,
    new_public_id,
)

UNDO_WINDOW = timedelta(minutes=30)
#: "Afmelden met uw e-mailadres" mails a link to these: the others get no mail from us anyway
CAN_LEAVE_BY_MAIL = (S.active, S.pending)


class Returned(enum.Enum):
    welcome = "welcome"  # back after the goodbye went: a welcome mail follows
    quietly = "quietly"  # back within the return window: the goodbye is dropped, no welcome


def _window() -> timedelta:
    return timedelta(seconds=current_app.config["SETTINGS"].return_window_seconds)


def unsubscribe(
    public_id: str,
    source: ConsentSource,
    now: datetime | None = None,
    edition_id: int | None = None,
) -> bool:
    """Idempotent: the first call unsubscribes and plans one goodbye; later calls change nothing.
    `edition_id`: the edition whose mail held the link used (counted for that edition)."""
    now = now or utcnow()
    subscriber = get_by_public_id(public_id)
    was_active = subscriber.state == S.active
    window = _window()
    if not change_state(
        subscriber.id,
        [s for s in S if s != S.unsubscribed],
        state=S.unsubscribed,
        unsubscribed_at=now,
        confirm_nonce=new_public_id(),
        confirmation_sent_at=None,  # coming back at once is allowed: needs a fresh opt-in
        goodbye_due_at=now + window if was_active else None,
    ):
        db.session.rollback()
        return False
    add_event(subscriber.id, ConsentKind.unsubscribed, source, edition_id=edition_id)
    if was_active:
        enqueue_after_commit(jobs.SEND_GOODBYE, subscriber.id, delay=window.total_seconds() or None)
    db.session.commit()
    return True


def back_to_active(
    subscriber_id: int,
    expected: Iterable[SubscriberState],
    *conditions: ColumnElement[bool],
    **values: object,
) -> Returned | None:
    """The one way back to active (confirmation or "Toch weer aanmelden"), left in the session.
    Within the return window the waiting goodbye is cleared in the same UPDATE; None when the
    reader was not in an `expected` state (a double click)."""
    expected = tuple(expected)
    values["goodbye_due_at"] = None
    waiting = Subscriber.goodbye_due_at.is_not(None)
    if change_state(subscriber_id, expected, S.active, where=[*conditions, waiting], **values):
        return Returned.quietly
    if change_state(subscriber_id, expected, S.active, where=conditions, **values):
        return Returned.welcome
    return None


def resubscribe(
    public_id: str, now: datetime | None = None, *, undo: bool = False
) -> Returned | None:
    """'Toch weer aanmelden': behind a manage link (mailed to the address on file just now), or
    as an undo right after unsubscribing (`undo`: within 30 minutes, in the browser that did
    it). Only someone who unsubscribed (not a bounce or a complaint) comes back this way; a
    fresh consent event."""
    now = now or utcnow()
    subscriber = get_by_public_id(public_id)
    if undo and (
        subscriber.unsubscribed_at is None or now - subscriber.unsubscribed_at > UNDO_WINDOW
    ):
        return None
    back = back_to_active(subscriber.id, [S.unsubscribed], confirmed_at=now, unsubscribed_at=None)
    if back is None:
        db.session.rollback()
        return None
    add_event(subscriber.id, ConsentKind.resubscribed, ConsentSource.preferences_page)
    if back is Returned.welcome:
        enqueue_after_commit(jobs.SEND_WELCOME, subscriber.id)
    db.session.commit()
    return back


def take_goodbye(subscriber_id: int, now: datetime | None = None) -> Subscriber | None:
    """The reader to say goodbye to now, the claim left in the session: the caller commits
    after the mail went, so a failed send is tried again. None when nothing is due: the reader
    came back, or the time has not come (a second message after leaving twice, or a clock
    ahead: then it is queued again for its time; the caller commits that too)."""
    now = now or utcnow()
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None or subscriber.state != S.unsubscribed:
        return None
    due = subscriber.goodbye_due_at
    if due is None:
        return None
    if due > now:
        enqueue_after_commit(
            jobs.SEND_GOODBYE, subscriber.id, delay=(due - now).total_seconds() + 1
        )
        return None
    claimed = db.session.execute(
        update(Subscriber)
        .where(
            Subscriber.id == subscriber.id,
            Subscriber.state == S.unsubscribed,
            Subscriber.goodbye_due_at <= now,
        )
        .values(goodbye_due_at=None)
        .execution_options(synchronize_session=False)
    )
    return subscriber if claimed.rowcount == 1 else None


def submit_unsubscribe_request(email: NormalisedEmail) -> None:
    """The web request's whole part of "Afmelden met uw e-mailadres": one row, its message
    after the commit, whatever the address (a worker decides, as for a sign-up)."""
    request = UnsubscribeRequest(email_key=email.key)
    db.session.add(request)
    db.session.flush()
    enqueue_after_commit(jobs.PROCESS_UNSUBSCRIBE_REQUEST, request.id)
    db.session.commit()


def process_unsubscribe_request(request_id: int) -> None:
    """A known reader who still gets mail from us gets an unsubscribe link at the address on
    file; anyone else nothing. Handled once: the row goes in the same commit."""
    request = db.session.get(UnsubscribeRequest, request_id)
    if request is None:
        return
    subscriber = by_key(request.email_key)
    if subscriber is not None and subscriber.state in CAN_LEAVE_BY_MAIL:
        enqueue_after_commit(jobs.SEND_UNSUBSCRIBE_LINK, subscriber.id)
    db.session.execute(delete(UnsubscribeRequest).where(UnsubscribeRequest.id == request_id))
    db.session.commit()
