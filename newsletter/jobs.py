"""The one door from services to the queue: messages leave only after the commit that caused them.

Services call `enqueue_after_commit("send_confirmation", subscriber_id)`. The message waits in the
session until the transaction commits and is dropped on rollback, so no mail is ever sent for data
that was never stored. Messages carry ids, never objects.
"""

from __future__ import annotations

import logging

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

#: actor name -> queue. `workers/actors.py` declares each actor on the queue named here.
ACTOR_QUEUES: dict[str, str] = {
    "send_confirmation": TRANSACTIONAL,
    "send_welcome": TRANSACTIONAL,
    "send_goodbye": TRANSACTIONAL,
    "send_already_subscribed": TRANSACTIONAL,
    "send_test_edition": TRANSACTIONAL,
    "send_repermission": BULK,  # an import can ask thousands: never ahead of a sign-up
    "fan_out": BULK,
    "send_batch": BULK,
    "reconcile": MAINTENANCE,
    "import_readers": MAINTENANCE,
}

#: Lower runs first inside a worker: confirmation mail jumps ahead of prefetched bulk batches.
QUEUE_PRIORITY = {TRANSACTIONAL: 0, MAINTENANCE: 10, BULK: 50}

_PENDING = "newsletter.pending_jobs"


def build_broker(url: str) -> dramatiq.Broker:
    """RabbitMQ for amqp:// URLs (a dropped connection returns its unacked messages at once);
    otherwise a Redis broker tuned so that a killed worker's messages come back within ~30 s.

    A live worker heartbeats at least once a second (its delay-queue consumer polls), so 15 s
    without one means dead; one in ten broker commands runs the maintenance that requeues a dead
    worker's unacked messages, so that happens within a few seconds after those 15 s.
    """
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url)
    return RedisBroker(url=url, heartbeat_timeout=15_000, maintenance_chance=100_000)


def enqueue_after_commit(actor_name: str, *ids: int) -> None:
    """Queue `actor_name(*ids)` to be sent once the current transaction commits."""
    if actor_name not in ACTOR_QUEUES:
        raise KeyError(f"unknown actor {actor_name!r}")
    if not all(isinstance(i, int) for i in ids):
        raise TypeError("messages carry ids only")
    session = db.session()
    session.info.setdefault(_PENDING, []).append(
        (current_app._get_current_object(), actor_name, ids)
    )


def send_now(app: Flask, actor_name: str, *ids: int, delay: float | None = None) -> None:
    """Put one message on the broker (used after commit, and by the reconciler).

    `delay` in seconds: the message becomes visible then (a batch waiting for a slot or a retry).
    """
    broker: dramatiq.Broker = app.extensions["broker"]
    message = dramatiq.Message(
        queue_name=ACTOR_QUEUES[actor_name],
        actor_name=actor_name,
        args=tuple(ids),
        kwargs={},
        options={},
    )
    broker.enqueue(message, delay=int(delay * 1000) if delay else None)


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    for app, actor_name, ids in pending or ():
        try:
            send_now(app, actor_name, *ids)
        except Exception:  # the data is committed; a lost enqueue must not turn into a 500
            log.exception("could not enqueue %s%r after commit", actor_name, ids)


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
