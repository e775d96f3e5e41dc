"""One batch: claim its rows with a lease, send over one SMTP session, mark each row at once.

A row's mark (its own commit) goes to the database right after the server's 250; its answer is
read while the relay answers the next reader's envelope, and before that reader's data goes
out. So a crash can repeat at most the message that was in flight. Every second the batch looks
at the edition's state, so pause and cancel take effect within seconds; it renews its lease well
before it runs out.
"""

from __future__ import annotations

import functools
import logging
import re
import secrets
import threading
import time
from dataclasses import dataclass

from flask import current_app

from newsletter import metrics
from newsletter.auth.audit import AUTOMATIC
from newsletter.delivery import control, ledger, limits
from newsletter.delivery.ahead import Ahead, run_length
from newsletter.delivery.ledger import DeliveryState, Marks
from newsletter.delivery.prepared import PreparedEdition, Recipient, prepared_for
from newsletter.delivery.snapshot import queue_batch
from newsletter.editions import states
from newsletter.editions.models import EditionState
from newsletter.extensions import db
from newsletter.mail import relays
from newsletter.mail.outgoing import Session
from newsletter.mail.transport import (
    ConnectionFailure,
    PermanentFailure,
    RecipientRefused,
    TemporaryFailure,
)
from newsletter.settings import Settings, SmtpUrl
from newsletter.subscribers import lifecycle, queries

log = logging.getLogger(__name__)
#: a batch sends for at most this long, then queues itself again and frees its thread, so a
#: confirmation mail never waits long for a worker thread, whatever the size of the send
SLICE_SECONDS = 1.5
#: below this many mails a second (SEND_RATE or a relay's rate) a worker may wait a second or
#: more for its turn; the next envelope then waits until that turn instead of holding the
#: relay in an open DATA (Postfix under load drops such a client after 10 s)
PIPELINE_MIN_RATE = 10
CHECK_SECONDS = 1.0
#: set when the worker process shuts down: batches stop between two mails and queue the rest
STOPPING = threading.Event()


_CODE = re.compile(r"^\d{3}(?: [245]\.\d{1,3}\.\d{1,3})?")


def reply_code(exc: Exception) -> str:
    """The relay's code ("550 5.1.1"), never its text: that usually repeats the address, and
    the ledger keeps no personal data once a reader is erased."""
    found = _CODE.match(str(exc))
    return found.group(0) if found else "onbekende fout"


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
    relay: SmtpUrl | None = None
    requeue_in: float | None = None


def _requeue(edition_id: int, batch_no: int, delay: float | None) -> None:
    queue_batch(edition_id, batch_no, delay=delay)
    db.session.commit()


def send_batch(
    edition_id: int, batch_no: int, holder: str | None = None, previous: str | None = None
) -> None:
    """Send what is due in one batch, leased as `holder`. `previous` is the lease of this
    job's earlier run (it ended in an outage and is over): its rows and SMTP slot go back at
    once instead of waiting for that lease to run out."""
    settings: Settings = current_app.config["SETTINGS"]
    key = limits.batch_key(edition_id, batch_no)
    if states.state_of(edition_id) != EditionState.sending:
        limits.forget(key)  # paused, cancelled or done: resume queues what is left
        return
    looking = relays.choose(settings.relays, probe=False)
    if looking.relay is None:  # every relay's circuit is open: nothing to claim yet
        _requeue(edition_id, batch_no, delay=looking.wait + _jitter(0, 1))
        return
    run = Run(
        edition_id,
        batch_no,
        holder or secrets.token_hex(16),
        settings,
        limits.Slots(settings.smtp_max_connections, settings.lease_seconds),
    )
    if previous:  # what the earlier run could not give back itself
        ledger.release(previous)
        run.slots.release(previous)
    if not run.slots.acquire(run.holder):
        _requeue(edition_id, batch_no, delay=_jitter(0.2, 0.6))  # back soon, thread free now
        return
    try:
        _run(run)
    finally:
        _give_back(run)
    if run.requeue_in is None:
        run.requeue_in = ledger.next_retry_in(edition_id, batch_no)
    if run.requeue_in is not None:
        _requeue(edition_id, batch_no, delay=run.requeue_in or None)
    else:
        limits.forget(key)
    control.complete_if_done(edition_id)


def _give_back(run: Run) -> None:
    """Rows not sent go back to the pool and the SMTP slot is freed. With the database or
    Redis gone this cannot happen now: the job's retry (which knows this run's lease) does it
    instead of waiting for the leases to run out."""
    for give_back in (ledger.release, run.slots.release):
        try:
            give_back(run.holder)
        except Exception as exc:
            log.warning(
                "batch %s/%s: %s failed (%s)",
                run.edition_id,
                run.batch_no,
                give_back.__name__,
                exc.__class__.__name__,
            )


def _claim(run: Run) -> list[Recipient | int]:
    """The batch's due rows, leased to this run; an int means "skip this row": its subscriber
    left (or was erased) after the snapshot."""
    rows = ledger.claim(run.edition_id, run.batch_no, run.holder, run.settings.lease_seconds)
    found = queries.subscribers_by_id([subscriber_id for _, subscriber_id in rows if subscriber_id])
    db.session.commit()
    recipients: list[Recipient | int] = []
    for row_id, subscriber_id in rows:
        subscriber = found.get(subscriber_id)
        if subscriber is None or not subscriber.active:
            recipients.append(row_id)
        else:
            recipients.append(
                Recipient(
                    row_id, subscriber.email, subscriber.name, subscriber.public_id, subscriber_id
                )
            )
    return recipients


def _run(run: Run) -> None:
    recipients = _claim(run)
    if not recipients:
        return
    choice = relays.choose(run.settings.relays)
    if choice.relay is None:
        run.requeue_in = choice.wait + _jitter(0, 1)
        return
    run.relay = choice.relay
    # the session first: should anything below fail before it connects, closing it gives
    # back the probe's turn it may hold
    with Session(run.settings, run.relay, turn=choice.turn) as smtp:
        prepared = prepared_for(run.edition_id)
        limits.note_relay(run.edition_id, run.relay.label)
        with Marks(run.holder) as marks:
            try:
                _send_all(run, recipients, prepared, smtp, marks)
            finally:
                _settle(marks)


_COUNTED = {state: metrics.MAILS.labels("edition", state.value) for state in DeliveryState}


def _settle(marks: Marks) -> None:
    """Reads the answer to the last mark sent, if one is waiting."""
    marked = marks.settle()
    if marked is None:
        return
    row_id, state, held = marked
    if not held:
        log.warning("delivery %s: lease lost before it was marked %s", row_id, state)
        return
    _COUNTED[state].inc()  # counted once, by who marked the row


def _mark_soon(marks: Marks, row_id: int, state: DeliveryState, error: str | None = None) -> None:
    _settle(marks)
    marks.send(row_id, state, error)


def _mark(marks: Marks, row_id: int, state: DeliveryState, error: str | None = None) -> None:
    _mark_soon(marks, row_id, state, error)
    _settle(marks)


def _send_all(
    run: Run, recipients: list, prepared: PreparedEdition, smtp: Session, marks: Marks
) -> None:
    throttles = [
        limits.Throttle(run.settings.send_rate),
        limits.Throttle(run.relay.rate, key=run.relay.label),
    ]
    settle = functools.partial(_settle, marks)
    # a throttled send waits for its turn anyway: made ahead, a message could miss the slice
    ahead = Ahead(prepared, smtp, run=run_length([t.rate for t in throttles]))
    started = checked = renewed = time.monotonic()
    # the relay would hold an open DATA while we wait our turn: only when that turn is short
    pipelined = all(t.rate == 0 or t.rate >= PIPELINE_MIN_RATE for t in throttles)
    for position, recipient in enumerate(recipients):
        now = time.monotonic()
        offered = smtp.offered is not None  # this reader's envelope is out: go on
        if not offered and (STOPPING.is_set() or now - started > SLICE_SECONDS):
            run.requeue_in = 0
            return
        if now - checked >= CHECK_SECONDS:
            checked = now
            if states.state_of(run.edition_id) != EditionState.sending:
                return
            if now - renewed >= run.settings.lease_seconds / 3:
                renewed = now
                _renew(run)
        if isinstance(recipient, int):
            _mark(marks, recipient, DeliveryState.skipped, "niet meer aangemeld")
            continue
        for throttle in throttles:
            while (wait := throttle.wait_seconds()) > 0:
                time.sleep(min(wait, CHECK_SECONDS))
        following = _next(recipients, position, started) if pipelined else None
        try:
            message = ahead.take(recipients, position)
            with metrics.SMTP_SECONDS.time():
                smtp.send(
                    message,
                    recipient.email,
                    ready=settle,
                    then=following.email if following else None,
                )
        except ConnectionFailure as exc:
            _connection_failed(run, exc, smtp)
            return
        except RecipientRefused as exc:
            _mark(marks, recipient.delivery_id, DeliveryState.failed, reply_code(exc))
            lifecycle.refused_by_relay(recipient.subscriber_id, reply_code(exc))
        except PermanentFailure as exc:
            _mark(marks, recipient.delivery_id, DeliveryState.failed, reply_code(exc))
        except TemporaryFailure as exc:
            _later(run, recipient.delivery_id, reply_code(exc))
        else:
            _mark_soon(marks, recipient.delivery_id, DeliveryState.sent)


def _next(recipients: list, position: int, started: float) -> Recipient | None:
    """The reader to offer the relay right behind this message (RFC 2920 pipelining), when
    this slice will go on to send to them."""
    if position + 1 >= len(recipients) or STOPPING.is_set():
        return None
    following = recipients[position + 1]
    if not isinstance(following, Recipient):
        return None
    return following if time.monotonic() - started < SLICE_SECONDS else None


def _connection_failed(run: Run, exc: Exception, smtp: Session) -> None:
    """This relay's circuit opens. Another relay takes the batch at once; with none left, the
    batch waits for the back-off, and after enough failures in a row the send pauses."""
    failures = smtp.failed()
    metrics.RELAY_FAILURES.labels(run.relay.label).inc()
    log.warning(
        "edition %s: relay %s cannot be reached (%s in a row): %s",
        run.edition_id,
        run.relay.label,
        failures,
        exc,
    )
    threshold = run.settings.pause_after_failures
    if relays.all_failing(run.settings.relays, threshold):
        control.pause(
            run.edition_id,
            f"Automatisch gepauzeerd: de mailserver is {failures} keer achter elkaar niet "
            f"bereikbaar geweest ({str(exc)[:150]})."
            if len(run.settings.relays) == 1
            else f"Automatisch gepauzeerd: geen van de {len(run.settings.relays)} mailservers was "
            f"bereikbaar, de laatste {failures} keer achter elkaar ({str(exc)[:150]}).",
            AUTOMATIC,
        )
        return
    choice = relays.choose(run.settings.relays, probe=False)
    run.requeue_in = _jitter(0, 0.3) if choice.relay else choice.wait + _jitter(0, 1)


def _later(run: Run, delivery_id: int, error: str) -> None:
    """4xx: try this reader again after a back-off, or give up after the last attempt."""
    attempts = ledger.attempts(delivery_id)
    if attempts + 1 >= run.settings.retry_max_attempts:
        with Marks(run.holder) as marks:
            marks.mark(delivery_id, DeliveryState.failed, error)
        return
    ledger.retry_later(
        delivery_id, run.holder, run.settings.retry_base_seconds * 2**attempts, error
    )


def _renew(run: Run) -> None:
    ledger.renew(run.holder, run.settings.lease_seconds)
    run.slots.acquire(run.holder)
