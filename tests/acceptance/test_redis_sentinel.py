"""Issue 28, acceptance 2: Redis under Sentinel (a primary, a replica, three sentinels, all
started by the test). A failover forced in the middle of a burst of sign-ups loses no
confirmation, and one in the middle of a send loses no edition mail: the web side and the
workers follow the sentinels to the new primary, and what Redis lost on the way (messages not
yet copied to the replica, enqueues refused during the switch) is found again in PostgreSQL:
the forms, the mail outbox and the ledger.

PostgreSQL only, like the other fleet tests.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import pytest

from newsletter import jobs, redis_urls
from newsletter.subscribers import lifecycle
from newsletter.subscribers.addresses import NormalisedEmail
from newsletter.subscribers.models import Role
from tests.acceptance.fleet import Fleet, finish, publish, sent_count, wait_until
from tests.acceptance.sentinel import REDIS_SENTINEL, SentinelRedis

pytestmark = [pytest.mark.slow, pytest.mark.serial]  # a fleet, and Redis servers of its own
SIGNUPS = 60


@pytest.fixture
def sentinel_redis(tmp_path):
    if not Path(REDIS_SENTINEL).exists():
        pytest.skip("Debian's redis-sentinel (apt-get install redis-sentinel)")
    directory = tmp_path / "redis"
    directory.mkdir()
    cluster = SentinelRedis(directory)
    try:
        yield cluster.start()
    finally:
        cluster.stop()


def test_a_failover_mid_sign_up_burst_loses_no_confirmation(
    app, db, relay, sentinel_redis, tmp_path, monkeypatch
):
    url = sentinel_redis.url
    # this process plays the web nodes: its broker and Redis follow the sentinels too
    monkeypatch.setitem(app.extensions, "broker", jobs.build_broker(url))
    monkeypatch.setitem(app.extensions, "redis", redis_urls.connect(url))
    fleet = Fleet(
        tmp_path,
        REDIS_URL=url,
        SMTP_URL=f"smtp://127.0.0.1:{relay.port}",
        RECONCILE_SECONDS="1",
        OUTBOX_LOST_SECONDS="2",
    )
    fleet.start()
    try:
        primary = app.extensions["redis"]
        wait_until(lambda: primary.zcard("dramatiq:__heartbeats__") >= 2, timeout=60,
                   what="the workers")  # fmt: skip
        tag = secrets.token_hex(3)
        addresses = []
        for i in range(SIGNUPS):
            email = f"burst{i}.{tag}@gemeente.example"
            lifecycle.submit_signup(
                lifecycle.SignupRequest(
                    NormalisedEmail(email, email), "Lezer", "GM0344", Role.raadslid, None
                )
            )
            addresses.append(email)
            if i == SIGNUPS // 3:
                sentinel_redis.fail_over()
            time.sleep(0.1)  # a burst of 6 s: the switch (1 to 2 s) falls in the middle
        wait_until(
            lambda: sentinel_redis.primary_port() == sentinel_redis.replica,
            timeout=15,
            what="the failover",
        )
        wait_until(
            lambda: set(relay.recipients()) >= set(addresses),
            timeout=60,
            what=f"{SIGNUPS} confirmations",
        )
        time.sleep(3)  # a second nudge or a second try would arrive within this
        counts = relay.recipients()
        log = (tmp_path / "workers-1.log").read_text()
        print(f"\nafter the failover: {log.count('ConnectionError')} connection errors in the "
              f"workers' log; {SIGNUPS} confirmations, each once")  # fmt: skip
        assert sorted(counts) == sorted(addresses)
        assert set(counts.values()) == {1}
    finally:
        fleet.stop()


def test_a_failover_mid_send_loses_no_edition_mail(
    app, db, editor, sentinel_redis, tmp_path, monkeypatch
):
    url = sentinel_redis.url
    monkeypatch.setitem(app.extensions, "broker", jobs.build_broker(url))
    monkeypatch.setitem(app.extensions, "redis", redis_urls.connect(url))
    fleet = Fleet(tmp_path, REDIS_URL=url, SEND_RATE="500")
    try:
        edition_id, addresses = publish(fleet, db, editor, subscribers=3_000)
        wait_until(lambda: sent_count(db, edition_id) >= 1_000, timeout=120, what="a third")
        sentinel_redis.fail_over()
        wait_until(
            lambda: sentinel_redis.primary_port() == sentinel_redis.replica,
            timeout=15,
            what="the failover",
        )
        # the ledger in PostgreSQL decides who got the edition; a session cut in DATA by the
        # switch may repeat one mail per SMTP connection (SMTP_MAX_CONNECTIONS=4)
        finish(fleet, db, edition_id, addresses, bound=4)
    finally:
        fleet.stop()
