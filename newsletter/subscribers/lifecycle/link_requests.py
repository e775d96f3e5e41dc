"""A link by mail for a typed address ("stuur een nieuwe link", a fresh preferences link):
the web request stores the address and queues one job, whatever the address; the worker
decides whether a mail goes. As with sign-ups, a known and an unknown address cost the
request the same work, so its timing tells nothing about who reads the newsletter.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from newsletter import jobs
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit
from newsletter.subscribers.addresses import NormalisedEmail
from newsletter.subscribers.lifecycle.journey import mail_link_once
from newsletter.subscribers.models import LinkKind, SubmittedLinkRequest

JOB = jobs.PROCESS_LINK_REQUEST


def submit_link_request(kind: LinkKind, email: NormalisedEmail) -> None:
    """The web request's whole part: one row, its message after the commit."""
    submitted = SubmittedLinkRequest(kind=kind.value, email=email.address, email_key=email.key)
    db.session.add(submitted)
    db.session.flush()
    enqueue_after_commit(JOB, submitted.id)
    db.session.commit()


def process_link_request(request_id: int, interval: int) -> None:
    """Handle a request once (a redelivered message finds nothing left to do): the mail, if
    one is due, and the removal of the request commit together."""
    submitted = db.session.get(SubmittedLinkRequest, request_id)
    if submitted is None:
        return
    email = NormalisedEmail(address=submitted.email, key=submitted.email_key)
    mail_link_once(LinkKind(submitted.kind), email, interval, submitted.submitted_at)
    db.session.execute(delete(SubmittedLinkRequest).where(SubmittedLinkRequest.id == request_id))
    db.session.commit()


def requeue_stranded(now: datetime) -> None:
    """The clock's part (the caller commits): requests older than a day go; those whose message
    was lost (Redis away at that moment) are queued again (handling one twice is harmless: the
    mail slot guards)."""
    db.session.execute(
        delete(SubmittedLinkRequest).where(
            SubmittedLinkRequest.submitted_at < now - timedelta(days=1)
        )
    )
    stranded = db.session.scalars(
        select(SubmittedLinkRequest.id)
        .where(SubmittedLinkRequest.submitted_at < now - timedelta(minutes=1))
        .limit(500)
    )
    for request_id in stranded:
        enqueue_after_commit(JOB, request_id)


def forget(email_key: str) -> None:
    """An erased reader's waiting requests go too (the caller commits)."""
    db.session.execute(
        delete(SubmittedLinkRequest).where(SubmittedLinkRequest.email_key == email_key)
    )
