"""Dramatiq's heartbeats and delayed messages on Redis's clock: a worker whose clock runs ahead
does not take the work of the others (issue 28: 30 s of skew, and 18 of 40 readers got their
confirmation twice), and a message delayed by a few seconds is not held half a minute longer or
run at once. Each test first shows the fault with Dramatiq's own broker, then its absence with
ours."""

from __future__ import annotations

import time
import uuid

import dramatiq.common
import pytest
import redis
from dramatiq import Message
from dramatiq.broker import MessageProxy
from dramatiq.brokers import redis as dramatiq_redis
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker
from dramatiq.common import current_millis

from newsletter.broker_clock import SharedClockRedisBroker
from newsletter.dev.sink import free_port


@pytest.mark.parametrize(("broker_class", "taken"), [(RedisBroker, 1), (SharedClockRedisBroker, 0)])
def test_a_worker_30_seconds_ahead_leaves_the_others_work_alone(
    app, monkeypatch, broker_class, taken
):
    client = app.extensions["broker"].client
    namespace = "skew-" + uuid.uuid4().hex[:8]
    options = dict(client=client, namespace=namespace, heartbeat_timeout=15_000)
    # maintenance (the requeue of dead workers' messages) on every command
    normal = broker_class(**options, maintenance_chance=MAINTENANCE_SCALE)
    ahead = broker_class(**options, maintenance_chance=MAINTENANCE_SCALE)
    try:
        normal.do_enqueue("q", "m1", b"{}")
        assert normal.do_fetch("q", 1) == [b"{}"]  # the normal worker is working on it

        real = dramatiq_redis.current_millis
        monkeypatch.setattr(dramatiq_redis, "current_millis", lambda: real() + 30_000)
        ahead.do_qsize("q")  # any command of the worker whose clock runs 30 s ahead

        requeued = client.llen(f"{namespace}:q")
        assert requeued == taken
    finally:
        for key in client.scan_iter(f"{namespace}:*"):
            client.delete(key)


def test_our_script_differs_from_dramatiqs_in_the_clock_only():
    from newsletter.broker_clock import CALLER_TIME, REDIS_TIME, dispatch_script

    ours = dispatch_script()
    assert CALLER_TIME not in ours and REDIS_TIME in ours
    theirs = dramatiq_redis._scripts["dispatch"]
    assert ours.replace(REDIS_TIME, CALLER_TIME).encode() == theirs


def _node_ahead(monkeypatch, seconds: float) -> None:
    """This process's clock, Dramatiq's reading of it included, runs `seconds` ahead (as under
    `faketime +30s`); Redis's does not."""
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + seconds)
    monkeypatch.setattr(dramatiq.common, "time", lambda: real() + seconds)


def _redis_millis(client) -> int:
    seconds, micros = client.time()
    return seconds * 1000 + micros // 1000


@pytest.mark.parametrize(
    ("broker_class", "due_in"), [(RedisBroker, 35), (SharedClockRedisBroker, 5)]
)
def test_a_message_delayed_on_a_node_30_seconds_ahead_is_due_on_the_shared_clock(
    app, monkeypatch, broker_class, due_in
):
    """A batch put back "in 5 s" by a worker 30 s ahead waited 35 s on every other worker."""
    client = app.extensions["broker"].client
    namespace = "skew-" + uuid.uuid4().hex[:8]
    broker = broker_class(client=client, namespace=namespace)
    _node_ahead(monkeypatch, 30)
    try:
        message = Message(queue_name="q", actor_name="a", args=(), kwargs={}, options={})
        eta = broker.enqueue(message, delay=5_000).options["eta"]
        assert abs((eta - _redis_millis(client)) / 1000 - due_in) < 1.5
    finally:
        for key in client.scan_iter(f"{namespace}:*"):
            client.delete(key)


@pytest.mark.parametrize(
    ("broker_class", "waits"), [(RedisBroker, -25), (SharedClockRedisBroker, 5)]
)
def test_a_node_30_seconds_ahead_holds_a_delayed_message_until_it_is_due(
    app, monkeypatch, broker_class, waits
):
    """The other way round: a message due in 5 s on the shared clock, taken by a worker whose
    clock runs 30 s ahead, waits those 5 s there too (it ran at once, 25 s "late")."""
    client = app.extensions["broker"].client
    broker = broker_class(client=client, namespace="skew-" + uuid.uuid4().hex[:8])
    due = _redis_millis(client) + 5_000
    _node_ahead(monkeypatch, 30)
    message = MessageProxy(
        Message(queue_name="q.DQ", actor_name="a", args=(), kwargs={}, options={"eta": due})
    )
    broker.emit_before("delay_message", message)  # what the worker does before it holds it
    # the worker runs the message once its own clock passes the eta
    assert abs((message.options["eta"] - current_millis()) / 1000 - waits) < 1.5


def test_the_shared_clock_keeps_the_last_difference_while_redis_is_away(app):
    from newsletter.broker_clock import SharedClock

    clock = SharedClock(app.extensions["broker"].client)
    offset = clock.offset()
    clock.client = redis.Redis(port=free_port(), socket_connect_timeout=0.5)
    clock._measured = None  # due for a new measurement, which fails
    assert clock.offset() == offset
