"""Erasure and retention: the person goes, a keyed hash and an audit line stay."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from newsletter import jobs
from newsletter.auth.audit import CLOCK, Actor, record
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.subscribers import suppression
from newsletter.subscribers.lifecycle import link_requests
from newsletter.subscribers.lifecycle.core import (
    S,
)
from newsletter.subscribers.models import (
    ConsentEvent,
    ImportJob,
    SubmittedSignup,
    Subscriber,
    UnsubscribeRequest,
)
from newsletter.webhooks import events as webhook_events

IMPORT_REPORT_DAYS = 30  # an import report quotes rows of the file: kept this long


def erase(subscriber: Subscriber, actor: Actor | None) -> None:
    """Delete the person and their events; a keyed hash on the suppression list and an audit
    line without the address are all that stay (the ledger keeps only counts: SET NULL)."""
    digest = suppression.suppress(subscriber.email_key, "erased")
    # the payloads naming the person go
    busy_until = webhook_events.forget_subscriber(subscriber.public_id)
    webhook_events.emit("reader.erased", {"reader": {"id": subscriber.public_id}}, after=busy_until)
    db.session.execute(delete(ConsentEvent).where(ConsentEvent.subscriber_id == subscriber.id))
    for form in (SubmittedSignup, UnsubscribeRequest):
        db.session.execute(delete(form).where(form.email_key == subscriber.email_key))
    link_requests.forget(subscriber.email_key)
    _redact_import_reports(subscriber.email)
    db.session.delete(subscriber)
    record(actor, "erase", "lezer", f"sleutel {digest[:12]}")  # the hash prefix, not the address
    db.session.commit()


def _redact_import_reports(address: str) -> None:
    """An import report may quote the address in a problem line: it goes too."""
    reports = db.session.scalars(
        select(ImportJob).where(func.lower(ImportJob.report).contains(address.lower()))
    )
    for job in reports:
        job.report = re.sub(re.escape(address), "(gewist)", job.report, flags=re.IGNORECASE)


def expire_import_reports(now: datetime, max_age_days: int) -> int:
    """Import reports quote rows of a file (names, addresses): kept for `max_age_days` only."""
    result = db.session.execute(
        update(ImportJob)
        .where(ImportJob.finished_at < now - timedelta(days=max_age_days), ImportJob.report != "")
        .values(report="")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def retention(now: datetime, confirm_max_age_seconds: int, lost_after: float = 60) -> None:
    """The clock's chore: expired sign-ups, forms and link requests never handled, and old
    import reports go. A form waiting `lost_after` s lost its message: it is queued again."""
    purge_expired(now, confirm_max_age_seconds, CLOCK)
    expire_import_reports(now, IMPORT_REPORT_DAYS)
    db.session.execute(  # a form its message never reached (a day is far more than a retry)
        delete(SubmittedSignup).where(SubmittedSignup.submitted_at < now - timedelta(days=1))
    )
    stranded = db.session.scalars(  # its message was lost (Redis away at that moment): again
        select(SubmittedSignup.id)
        .where(SubmittedSignup.submitted_at < now - timedelta(seconds=lost_after))
        .limit(500)
    )
    for submitted_id in stranded:  # handling a form twice is harmless (the mail slot guards)
        enqueue_after_commit(jobs.PROCESS_SIGNUP, submitted_id)
    link_requests.requeue_stranded(now)
    _requeue_stranded(now)
    db.session.commit()


def _requeue_stranded(now: datetime) -> None:
    """Unsubscribe requests whose message was lost (Redis away when it was queued) are queued
    again; a request is handled once, however many messages come."""
    minute_ago = now - timedelta(minutes=1)
    db.session.execute(
        delete(UnsubscribeRequest).where(UnsubscribeRequest.submitted_at < now - timedelta(days=1))
    )
    for request_id in db.session.scalars(
        select(UnsubscribeRequest.id).where(UnsubscribeRequest.submitted_at < minute_ago).limit(500)
    ):
        enqueue_after_commit(jobs.PROCESS_UNSUBSCRIBE_REQUEST, request_id)


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
