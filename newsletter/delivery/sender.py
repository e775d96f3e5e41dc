"""One batch: claim its rows with a lease, send over one SMTP session, mark each row at once.

A row is marked `sent` in its own commit right after the server's 250, so a crash can repeat at
most the message that was in flight. Every second the batch looks at the edition's state, so
pause and cancel take effect within seconds; it renews its lease well before it runs out.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from newsletter.database import utcnow
from newsletter.delivery import control, limits
from newsletter.delivery.ledger import Marks
from newsletter.delivery.models import Delivery, DeliveryState
from newsletter.delivery.prepared import Recipient, prepared_for
from newsletter.delivery.sign import signed
from newsletter.delivery.snapshot import queue_batch
from newsletter.delivery.transport import (
    ConnectionFailure,
    PermanentFailure,
    RecipientRefused,
    SmtpConnection,
    TemporaryFailure,
)
from newsletter.editions.models import EditionState
from newsletter.extensions import db
from newsletter.readers.audit import AUTOMATIC
from newsletter.settings import Settings
from newsletter.subscriptions.models import Status, Subscriber

log = logging.getLogger(__name__)
#: a batch sends for at most this long, then queues itself again and frees its thread, so a
#: confirmation mail never waits long for a worker thread, whatever the size of the send
SLICE_SECONDS = 1.5
CHECK_SECONDS = 1.0
#: set when the worker process shuts down: batches stop between two mails and queue the rest
STOPPING = threading.Event()


def _jitter(low: float, high: float) -> float:
    """Spread retries so that waiting batches do not all come back in the same instant."""
    return low + (high - low) * secrets.randbelow(1000) / 1000


@dataclass
class Run:
    edition_id: int
    batch_no: int
    holder: str
    settings: Settings
    slots: limits.Slots
    requeue_in: float | None = None


def send_batch(edition_id: int, batch_no: int) -> None:
    settings: Settings = current_app.config["SETTINGS"]
    key = limits.batch_key(edition_id, batch_no)
    if control.edition_state(edition_id) != EditionState.sending:
        limits.forget(key)  # paused, cancelled or done: resume queues what is left
        return
    wait = limits.Circuit().wait_seconds()
    if wait:
        queue_batch(edition_id, batch_no, delay=wait + _jitter(0, 1))
        return
    run = Run(
        edition_id,
        batch_no,
        secrets.token_hex(16),
        settings,
        limits.Slots(settings.smtp_max_connections, settings.lease_seconds),
    )
    if not run.slots.acquire(run.holder):
        queue_batch(edition_id, batch_no, delay=_jitter(0.2, 0.6))  # back soon, thread free now
        return
    try:
        _run(run)
    finally:
        _release(run.holder)
        run.slots.release(run.holder)
    if run.requeue_in is None:
        run.requeue_in = _next_retry_in(edition_id, batch_no)
    if run.requeue_in is not None:
        queue_batch(edition_id, batch_no, delay=run.requeue_in or None)
    else:
        limits.forget(key)
    control.complete_if_done(edition_id)


def _claim(run: Run) -> list[Recipient | int]:
    now = utcnow()
    claimable = (
        (Delivery.edition_id == run.edition_id)
        & (Delivery.batch_no == run.batch_no)
        & (Delivery.state == DeliveryState.pending)
        & (Delivery.claimed_until.is_(None) | (Delivery.claimed_until < now))
        & (Delivery.retry_at.is_(None) | (Delivery.retry_at <= now))
    )
    db.session.execute(
        update(Delivery)
        .where(claimable)
        .values(claim=run.holder, claimed_until=now + timedelta(seconds=run.settings.lease_seconds))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    rows = db.session.execute(
        select(
            Delivery.id, Subscriber.email, Subscriber.name, Subscriber.public_id, Subscriber.status
        )
        .outerjoin(Subscriber, Subscriber.id == Delivery.subscriber_id)
        .where(Delivery.claim == run.holder, Delivery.state == DeliveryState.pending)
        .order_by(Delivery.id)
    ).all()
    db.session.commit()
    # a reader who left after the snapshot is skipped: an int in the list means "skip this row"
    return [
        Recipient(r.id, r.email, r.name, r.public_id) if r.status == Status.active else r.id
        for r in rows
    ]


def _run(run: Run) -> None:
    recipients = _claim(run)
    if not recipients:
        return
    prepared = prepared_for(run.edition_id)
    smtp = SmtpConnection(run.settings.smtp_url)
    with Marks(run.holder) as marks, contextlib.closing(smtp):
        _send_all(run, recipients, prepared, smtp, marks)


def _record(marks: Marks, row_id: int, state: DeliveryState, error: str | None = None) -> None:
    if not marks.mark(row_id, state, error):
        log.warning("delivery %s: lease lost before it was marked %s", row_id, state)


def _send_all(run: Run, recipients: list, prepared, smtp: SmtpConnection, marks: Marks) -> None:
    throttle = limits.Throttle(run.settings.send_rate)
    circuit = limits.Circuit()
    started = checked = renewed = time.monotonic()
    fresh_connection = True
    for recipient in recipients:
        now = time.monotonic()
        if STOPPING.is_set() or now - started > SLICE_SECONDS:
            run.requeue_in = 0
            return
        if now - checked >= CHECK_SECONDS:
            checked = now
            if control.edition_state(run.edition_id) != EditionState.sending:
                return
            if now - renewed >= run.settings.lease_seconds / 3:
                renewed = now
                _renew(run)
        if isinstance(recipient, int):
            _record(marks, recipient, DeliveryState.skipped, "niet meer aangemeld")
            continue
        while (wait := throttle.wait_seconds()) > 0:
            time.sleep(min(wait, CHECK_SECONDS))
        data = signed(prepared.bytes_for(recipient), run.settings)
        try:
            smtp.send(data, prepared.sender, recipient.email)
        except ConnectionFailure as exc:
            _connection_failed(run, circuit, exc)
            return
        except RecipientRefused as exc:
            _record(marks, recipient.delivery_id, DeliveryState.failed, str(exc))
            _bounce(recipient.delivery_id)
        except PermanentFailure as exc:
            _record(marks, recipient.delivery_id, DeliveryState.failed, str(exc))
        except TemporaryFailure as exc:
            _later(run, recipient.delivery_id, str(exc))
        else:
            _record(marks, recipient.delivery_id, DeliveryState.sent)
        if fresh_connection:
            fresh_connection = False
            circuit.succeeded()


def _connection_failed(run: Run, circuit: limits.Circuit, exc: Exception) -> None:
    failures = circuit.failed()
    log.warning(
        "edition %s: SMTP connection failed (%s in a row): %s", run.edition_id, failures, exc
    )
    if failures >= run.settings.pause_after_failures:
        control.pause(
            run.edition_id,
            f"Automatisch gepauzeerd: de mailserver is {failures} keer achter elkaar niet "
            f"bereikbaar geweest ({str(exc)[:150]}).",
            AUTOMATIC,
        )
        return
    run.requeue_in = circuit.wait_seconds() + _jitter(0, 1)


def _later(run: Run, delivery_id: int, error: str) -> None:
    """4xx: try this reader again after a back-off, or give up after the last attempt."""
    attempts = db.session.scalar(select(Delivery.attempts).where(Delivery.id == delivery_id)) or 0
    if attempts + 1 >= run.settings.retry_max_attempts:
        with Marks(run.holder) as marks:
            marks.mark(delivery_id, DeliveryState.failed, error)
        return
    wait = run.settings.retry_base_seconds * 2**attempts
    db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.claim == run.holder)
        .values(
            attempts=Delivery.attempts + 1,
            retry_at=utcnow() + timedelta(seconds=wait),
            claim=None,
            claimed_until=None,
            error=error[:300],
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _bounce(delivery_id: int) -> None:
    subscriber_id = select(Delivery.subscriber_id).where(Delivery.id == delivery_id)
    db.session.execute(
        update(Subscriber)
        .where(Subscriber.id == subscriber_id.scalar_subquery(), Subscriber.status == Status.active)
        .values(status=Status.bounced, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _renew(run: Run) -> None:
    db.session.execute(
        update(Delivery)
        .where(Delivery.claim == run.holder, Delivery.state == DeliveryState.pending)
        .values(claimed_until=utcnow() + timedelta(seconds=run.settings.lease_seconds))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    run.slots.acquire(run.holder)


def _release(holder: str) -> None:
    db.session.rollback()
    db.session.execute(
        update(Delivery)
        .where(Delivery.claim == holder, Delivery.state == DeliveryState.pending)
        .values(claim=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _next_retry_in(edition_id: int, batch_no: int) -> float | None:
    """Seconds until the batch's next 4xx retry is due, or None when nothing is left to do."""
    earliest = db.session.scalar(
        select(Delivery.retry_at)
        .where(
            Delivery.edition_id == edition_id,
            Delivery.batch_no == batch_no,
            Delivery.state == DeliveryState.pending,
            Delivery.retry_at.is_not(None),
        )
        .order_by(Delivery.retry_at)
        .limit(1)
    )
    if earliest is None:
        return None
    return max(0.0, (earliest - utcnow()).total_seconds())
