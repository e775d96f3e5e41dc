"""Issue 28, acceptance 2 and 5: transactional mail survives losing Redis, and a worker process
serves its own /metrics.

Real `dramatiq workers` processes and postfix's smtp-sink as the relay. PostgreSQL only, like
the other fleet tests.
"""

from __future__ import annotations

import re
import secrets
import time
import urllib.request
from collections import Counter

import pytest

from newsletter.dev.sink import free_port
from newsletter.subscribers import lifecycle
from newsletter.subscribers.addresses import NormalisedEmail
from newsletter.subscribers.models import Role, SubscriberState
from tests.acceptance.fleet import Fleet, wait_until
from tests.factories import make_subscriber

pytestmark = [pytest.mark.slow, pytest.mark.serial]  # a fleet, and Redis servers of its own
TOKEN = "worker-metrics-" + "k" * 40


def _queue_100_mails(db, tag: str) -> list[str]:
    """40 sign-ups (confirmation), 30 confirmations (welcome), 30 leavers (goodbye), each
    through the lifecycle, as the pages and the worker do it."""
    addresses = []
    for i in range(40):
        email = f"nieuw{i}.{tag}@gemeente.example"
        req = lifecycle.SignupRequest(
            NormalisedEmail(email, email), "Lezer", "GM0344", Role.raadslid, None
        )
        lifecycle.request_signup(req, interval=3600)
        addresses.append(email)
    for i in range(30):
        email = f"bevestigt{i}.{tag}@gemeente.example"
        sub = make_subscriber(db, email, state=SubscriberState.pending)
        db.session.commit()
        assert lifecycle.confirm(sub.public_id, sub.confirm_nonce).name == "confirmed"
        addresses.append(email)
    for i in range(30):
        email = f"vertrekt{i}.{tag}@gemeente.example"
        sub = make_subscriber(db, email, state=SubscriberState.active)
        db.session.commit()
        assert lifecycle.unsubscribe(sub.public_id, lifecycle.ConsentSource.one_click)
        addresses.append(email)
    return addresses


def test_redis_flushed_with_100_mails_queued_loses_none(app, db, relay, tmp_path, paused_worker):
    fleet = Fleet(
        tmp_path,
        REDIS_URL=app.config["SETTINGS"].redis_url,  # where this process queued the messages
        SMTP_URL=f"smtp://127.0.0.1:{relay.port}",
        RECONCILE_SECONDS="1",
        OUTBOX_LOST_SECONDS="1",
    )
    try:
        tag = secrets.token_hex(3)
        addresses = _queue_100_mails(db, tag)
        assert len(addresses) == 100
        assert app.extensions["broker"].client.llen("dramatiq:transactional") == 100
        app.extensions["broker"].client.flushdb()  # no worker runs: every message is gone
        fleet.start()

        def arrived() -> bool:
            return sum(relay.recipients().values()) >= 100

        wait_until(arrived, timeout=60, what="100 mails after the flush")
        time.sleep(3)  # a second nudge, or a second try, would arrive within this
        counts: Counter[str] = relay.recipients()
        assert sorted(counts) == sorted(addresses)
        assert set(counts.values()) == {1}
    finally:
        fleet.stop()


def test_a_worker_serves_its_mail_counters_on_its_own_port(app, db, relay, tmp_path, paused_worker):
    port = free_port()
    fleet = Fleet(
        tmp_path,
        REDIS_URL=app.config["SETTINGS"].redis_url,  # where this process queues the sign-up
        SMTP_URL=f"smtp://127.0.0.1:{relay.port}",
        WORKER_METRICS_PORT=str(port),
        WORKER_METRICS_ADDRESS="127.0.0.1",
        METRICS_TOKEN=TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
    )
    try:
        fleet.start()
        email = f"metriek.{secrets.token_hex(3)}@gemeente.example"
        req = lifecycle.SignupRequest(
            NormalisedEmail(email, email), "Lezer", "GM0344", Role.raadslid, None
        )
        lifecycle.request_signup(req, interval=3600)
        wait_until(lambda: relay.recipients()[email] == 1, timeout=30, what="the confirmation")

        def scrape(token: str) -> tuple[int, str]:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {token}"}
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
                    return answer.status, answer.read().decode()
            except urllib.error.HTTPError as exc:
                return exc.code, ""

        assert scrape("fout")[0] == 401
        status, body = scrape(TOKEN)
        assert status == 200
        sent = re.search(r'^ravijn_mails_total\{kind="transactional",outcome="sent"\} (\S+)$',
                         body, re.MULTILINE)  # fmt: skip
        assert sent is not None and float(sent.group(1)) >= 1, body[:2000]
    finally:
        fleet.stop()
