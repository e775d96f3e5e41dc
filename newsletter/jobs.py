"""The one door to the queue: messages leave only after the commit that caused them.

Services call `enqueue_after_commit("send_confirmation", subscriber_id)` and then commit. The
message waits in the session until the transaction commits and is dropped on rollback, so no
mail is ever sent for data that was never stored. Messages carry ids, never objects. Work that
no write caused (the clock's tick, a batch queued again) takes the same door: the caller's
commit, even of an empty transaction, sends it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from newsletter.extensions import db

log = logging.getLogger(__name__)

TRANSACTIONAL = "transactional"
BULK = "bulk"
MAINTENANCE = "maintenance"
WEBHOOKS = "webhooks"

#: actor name -> queue. `workers/actors.py` declares each actor on the queue named here.
ACTOR_QUEUES: dict[str, str] = {
    "process_signup": TRANSACTIONAL,
    "send_confirmation": TRANSACTIONAL,
    "send_welcome": TRANSACTIONAL,
    "send_goodbye": TRANSACTIONAL,
    "send_address_confirmation": TRANSACTIONAL,
    "send_address_notice": TRANSACTIONAL,
    "send_already_subscribed": TRANSACTIONAL,
    "send_preferences_link": TRANSACTIONAL,
    "send_manage_link": TRANSACTIONAL,
    "process_unsubscribe_request": TRANSACTIONAL,
    "send_unsubscribe_link": TRANSACTIONAL,
    "send_test_edition": TRANSACTIONAL,
    "send_editor_password_link": TRANSACTIONAL,
    "send_editor_notice": TRANSACTIONAL,
    "send_webhook_notice": TRANSACTIONAL,
    "send_repermission": BULK,  # an import can ask thousands: never ahead of a sign-up
    "fan_out": BULK,
    "send_batch": BULK,
    "reconcile": MAINTENANCE,
    "import_subscribers": MAINTENANCE,
    "deliver_webhook": WEBHOOKS,  # HTTP calls of up to 10 s: in nobody's way, their own pool
}

#: Lower runs first inside a worker: confirmation mail jumps ahead of prefetched bulk batches.
QUEUE_PRIORITY = {TRANSACTIONAL: 0, MAINTENANCE: 10, WEBHOOKS: 20, BULK: 50}

_PENDING = "newsletter.pending_jobs"
MARKER_SECONDS = 6 * 3600


def build_broker(url: str) -> dramatiq.Broker:
    """RabbitMQ for amqp:// URLs (a dropped connection returns its unacked messages at once);
    otherwise a Redis broker tuned so that a killed worker's messages come back within ~30 s.

    A live worker heartbeats at least once a second (its delay-queue consumer polls), so 15 s
    without one means dead; every other broker command runs the maintenance that requeues a dead
    worker's unacked messages, so that happens within a few seconds after those 15 s. The
    maintenance only looks at the queue of the command that runs it (a poll of that queue about
    once a second); at one in ten, a message waited 40 s longer now and then (CI saw 56 s).
    Its cost, two lookups in small sorted sets, is nothing beside a fetch.
    """
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url)
    return RedisBroker(url=url, heartbeat_timeout=15_000, maintenance_chance=500_000)


@dataclass(frozen=True)
class _Job:
    app: Flask
    actor_name: str
    ids: tuple[int, ...]
    delay: float | None
    marker: str | None


def enqueue_after_commit(
    actor_name: str, *ids: int, delay: float | None = None, marker: str | None = None
) -> None:
    """Queue `actor_name(*ids)` to be sent once the current transaction commits.

    `delay` in seconds: the message becomes visible then (a batch waiting for a slot or a
    retry). `marker`: a Redis key set while the message waits, so the reconciler can tell a
    lost message from a waiting one; it is removed again if the message cannot be queued.
    """
    if actor_name not in ACTOR_QUEUES:
        raise KeyError(f"unknown actor {actor_name!r}")
    if not all(isinstance(i, int) for i in ids):
        raise TypeError("messages carry ids only")
    job = _Job(current_app._get_current_object(), actor_name, ids, delay, marker)
    db.session().info.setdefault(_PENDING, []).append(job)


def _send(job: _Job) -> None:
    message = dramatiq.Message(
        queue_name=ACTOR_QUEUES[job.actor_name],
        actor_name=job.actor_name,
        args=job.ids,
        kwargs={},
        options={},
    )
    redis_client = job.app.extensions["redis"]
    if job.marker:
        redis_client.set(job.marker, "1", ex=MARKER_SECONDS)
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
            # (the reconciler finds work whose message is missing)
            log.exception("could not enqueue %s%r after commit", job.actor_name, job.ids)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def init_app(app: Flask) -> None:
    """Bind the broker to the app and hook the session events (once per process)."""
    settings = app.config["SETTINGS"]
    app.extensions["broker"] = build_broker(settings.broker_url or settings.redis_url)
    # shared limits and bookkeeping for delivery; connects on first use
    app.extensions["redis"] = redis.Redis.from_url(settings.redis_url)
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
