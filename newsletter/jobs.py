"""The one door to the queue: messages leave only after the commit that caused them.

Services call `enqueue_after_commit(jobs.SEND_CONFIRMATION, subscriber_id)` and then commit. The
message waits in the session until the transaction commits and is dropped on rollback, so no
mail is ever sent for data that was never stored. Messages carry ids, never objects. Work that
no write caused (the clock's tick, a batch queued again) takes the same door: the caller's
commit, even of an empty transaction, sends it. A mail to one person (a job with `outbox=True`)
is more than a message: its row in the mail outbox is written in the caller's transaction, so
a message lost with Redis loses no mail (newsletter/mail_outbox.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import dramatiq
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from newsletter import mail_outbox, redis_urls
from newsletter.broker_clock import SharedClockRedisBroker
from newsletter.extensions import db

log = logging.getLogger(__name__)

TRANSACTIONAL = "transactional"
BULK = "bulk"
MAINTENANCE = "maintenance"
WEBHOOKS = "webhooks"
TESTSEND = "testsend"

#: Lower runs first inside a worker: confirmation mail jumps ahead of prefetched bulk batches.
QUEUE_PRIORITY = {TRANSACTIONAL: 0, TESTSEND: 5, MAINTENANCE: 10, WEBHOOKS: 20, BULK: 50}


@dataclass(frozen=True)
class Job:
    """A kind of work a worker does: its actor's name and queue. `workers/actors.py` gives
    every job here its actor (a unit test pairs them)."""

    name: str
    queue: str
    #: a mail to one person: written to the mail outbox with the data that causes it, the
    #: message (its row's id) only nudges a worker; see newsletter/mail_outbox.py
    outbox: bool = False

    @property
    def priority(self) -> int:
        return QUEUE_PRIORITY[self.queue]


PROCESS_SIGNUP = Job("process_signup", TRANSACTIONAL)
PROCESS_LINK_REQUEST = Job("process_link_request", TRANSACTIONAL)  # a link asked by address
PROCESS_PASSWORD_REQUEST = Job("process_password_request", TRANSACTIONAL)
SEND_CONFIRMATION = Job("send_confirmation", TRANSACTIONAL, outbox=True)
SEND_WELCOME = Job("send_welcome", TRANSACTIONAL, outbox=True)
SEND_GOODBYE = Job("send_goodbye", TRANSACTIONAL, outbox=True)
SEND_ADDRESS_CONFIRMATION = Job("send_address_confirmation", TRANSACTIONAL, outbox=True)
SEND_ADDRESS_NOTICE = Job("send_address_notice", TRANSACTIONAL, outbox=True)
SEND_ALREADY_SUBSCRIBED = Job("send_already_subscribed", TRANSACTIONAL, outbox=True)
SEND_PREFERENCES_LINK = Job("send_preferences_link", TRANSACTIONAL, outbox=True)
SEND_MANAGE_LINK = Job("send_manage_link", TRANSACTIONAL, outbox=True)
PROCESS_UNSUBSCRIBE_REQUEST = Job("process_unsubscribe_request", TRANSACTIONAL)
SEND_UNSUBSCRIBE_LINK = Job("send_unsubscribe_link", TRANSACTIONAL, outbox=True)
# an editor's test mails and the links that confirm a test address: never ahead of a reader's
# confirmation, and on their own queue, so they cannot fill the transactional one
SEND_TEST_EDITION = Job("send_test_edition", TESTSEND)
SEND_TEST_ADDRESS_LINK = Job("send_test_address_link", TESTSEND, outbox=True)
SEND_EDITOR_PASSWORD_LINK = Job("send_editor_password_link", TRANSACTIONAL, outbox=True)
SEND_EDITOR_NOTICE = Job("send_editor_notice", TRANSACTIONAL)
SEND_WEBHOOK_NOTICE = Job("send_webhook_notice", TRANSACTIONAL)
SEND_REPERMISSION = Job("send_repermission", BULK)  # an import asks thousands: after sign-ups
FAN_OUT = Job("fan_out", BULK)
SEND_BATCH = Job("send_batch", BULK)
RECONCILE = Job("reconcile", MAINTENANCE)
IMPORT_SUBSCRIBERS = Job("import_subscribers", MAINTENANCE)
DELIVER_WEBHOOK = Job("deliver_webhook", WEBHOOKS)  # HTTP calls of up to 10 s: their own pool

#: every job, for the workers' table and the test that pairs them
ALL: tuple[Job, ...] = tuple(v for v in tuple(globals().values()) if isinstance(v, Job))
BY_NAME: dict[str, Job] = {job.name: job for job in ALL}

_PENDING = "newsletter.pending_jobs"
#: a marker outlives its message by at most this many leases: a marker whose message never
#: reached the queue (a Redis failover between the two writes, or an enqueue refused while the
#: marker's delete was refused too) would otherwise hide a stranded batch from the reconciler.
#: A marker that runs out while its message still waits costs one extra message, which finds
#: the rows claimed or sends them sooner (docs/operations.md#redis)
MARKER_LEASES = 5


def build_broker(url: str) -> dramatiq.Broker:
    """RabbitMQ for amqp:// URLs (a dropped connection returns its unacked messages at once);
    otherwise a Redis broker tuned so that a killed worker's messages come back within ~30 s.

    A live worker heartbeats at least once a second (its delay-queue consumer polls), so 15 s
    without one means dead; every other broker command runs the maintenance that requeues a dead
    worker's unacked messages, so that happens within a few seconds after those 15 s. The
    maintenance only looks at the queue of the command that runs it (a poll of that queue about
    once a second), so it must run often for a dead worker's message to come back soon. Its
    cost, two lookups in small sorted sets, is nothing beside a fetch. The heartbeats are
    stamped with Redis's clock, not the worker's (newsletter/broker_clock.py): with each
    worker's own clock, 15 s of skew between machines would have workers requeue each other's
    work.
    """
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url)
    # a client of our own: Sentinel URLs, and socket timeouts (Dramatiq's own has none);
    # heartbeats on Redis's clock (broker_clock.py)
    return SharedClockRedisBroker(
        client=redis_urls.connect(url), heartbeat_timeout=15_000, maintenance_chance=500_000
    )


@dataclass(frozen=True)
class _Pending:
    app: Flask
    job: Job
    ids: tuple[int, ...]
    delay: float | None
    marker: str | None


def enqueue_after_commit(
    job: Job, *ids: int, delay: float | None = None, marker: str | None = None
) -> None:
    """Queue `job(*ids)` to be sent once the current transaction commits.

    `delay` in seconds: the message becomes visible then (a batch waiting for a slot or a
    retry). `marker`: a Redis key set while the message waits, so the reconciler can tell a
    lost message from a waiting one; it is removed again if the message cannot be queued.
    """
    if not isinstance(job, Job):
        raise TypeError("enqueue a declared Job, not a name")
    if not all(isinstance(i, int) for i in ids):
        raise TypeError("messages carry ids only")
    if job.outbox:  # the row is the mail; the message only says which row to send
        ids = (mail_outbox.add(job.name, ids, delay),)
    pending = _Pending(current_app._get_current_object(), job, ids, delay, marker)
    db.session().info.setdefault(_PENDING, []).append(pending)


def nudge_after_commit(job: Job, row_id: int) -> None:
    """Nudge a worker again to send an outbox row that already exists (the clock's sweep)."""
    if not job.outbox:
        raise TypeError(f"{job.name} has no outbox")
    pending = _Pending(current_app._get_current_object(), job, (row_id,), None, None)
    db.session().info.setdefault(_PENDING, []).append(pending)


def _send(job: _Pending) -> None:
    message = dramatiq.Message(
        queue_name=job.job.queue,
        actor_name=job.job.name,
        args=job.ids,
        kwargs={},
        options={},
    )
    redis_client = job.app.extensions["redis"]
    if job.marker:
        ttl = MARKER_LEASES * job.app.config["SETTINGS"].lease_seconds
        redis_client.set(job.marker, "1", ex=ttl)
    try:
        job.app.extensions["broker"].enqueue(
            message, delay=int(job.delay * 1000) if job.delay else None
        )
    except Exception:
        if job.marker:
            redis_client.delete(job.marker)
        raise


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    for job in pending or ():
        try:
            _send(job)
        except Exception:  # the data is committed; a lost enqueue must not turn into a 500
            # (the reconciler finds work whose message is missing; a mail is an outbox row)
            log.exception("could not enqueue %s%r after commit", job.job.name, job.ids)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def init_app(app: Flask) -> None:
    """Bind the broker to the app and hook the session events (once per process)."""
    settings = app.config["SETTINGS"]
    app.extensions["broker"] = build_broker(settings.broker_url or settings.redis_url)
    # shared limits and bookkeeping for delivery; connects on first use
    app.extensions["redis"] = redis_urls.connect(settings.redis_url)
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
