"""Dramatiq's heartbeats on Redis's clock: a worker whose clock runs ahead does not take the
work of the others (issue 28: 30 s of skew, and 18 of 40 readers got their confirmation
twice). The test first shows the fault with Dramatiq's own broker, then its absence with ours."""

from __future__ import annotations

import uuid

import pytest
from dramatiq.brokers import redis as dramatiq_redis
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker

from newsletter.broker_clock import SharedClockRedisBroker


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
