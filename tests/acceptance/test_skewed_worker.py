"""Two worker processes, one under Debian's `faketime +30s` (another machine whose clock runs
ahead), and 40 sign-ups at once on the web node (this process). Each reader gets exactly one
confirmation, and every link works on the web node, also the ones made on the fast worker.

Before issue 28 the fast worker saw the other one's Dramatiq heartbeat as 30 s old, called it
dead after 15 s and requeued its messages (18 of 40 readers got two confirmations), and its
links were refused as signed "in the future" (docs/operations.md#clocks).
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, datetime

import pytest

from newsletter.signed_time import SkewTolerantSerializer
from newsletter.subscribers.tokens import Purpose
from tests.acceptance.fleet import Fleet, wait_until
from tests.helpers import form_tokens
from tests.integration.test_journey import links_in

pytestmark = [pytest.mark.slow, pytest.mark.serial]  # processes and servers of its own, timing
READERS = 40
HEARTBEATS = "dramatiq:__heartbeats__"


@pytest.fixture
def skewed_fleet(app, db, paused_worker, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("worker processes beside the test: PostgreSQL, as in production")
    if shutil.which("faketime") is None:
        pytest.fail("Debian's faketime is missing: run .ci/services as root")
    # the fleet serves this app's queue: the sign-ups below are its web requests
    fleet = Fleet(tmp_path, redis_url=app.config["SETTINGS"].redis_url, keep=True)
    yield fleet
    fleet.stop()


def signed_at(app, confirm_path: str) -> datetime:
    keys = list(reversed(app.config["SETTINGS"].secret_keys))
    serializer = SkewTolerantSerializer(keys, salt=Purpose.confirm.value)
    return serializer.loads(confirm_path.rsplit("/", 1)[1], return_timestamp=True)[1]


def test_forty_signups_with_a_worker_30_seconds_ahead(app, client, signup_form, skewed_fleet, db):
    fleet = skewed_fleet
    before = set(fleet.redis.zrange(HEARTBEATS, 0, -1))
    fleet.start()
    fleet.start_beside("faketime", "-f", "+30s")
    wait_until(
        lambda: len(set(fleet.redis.zrange(HEARTBEATS, 0, -1)) - before) >= 4,
        timeout=120,
        what="four worker processes' heartbeats",
    )

    addresses = [f"lezer{i}@gemeente{i % 7}.example" for i in range(READERS)]
    for address in addresses:
        answer = client.post("/aanmelden", data=signup_form(email=address))
        assert answer.status_code == 303, answer.get_data(as_text=True)

    fleet.sink.wait_for(READERS, timeout=120)
    arrived = datetime.now(UTC)
    # a requeue comes after the 15 s heartbeat timeout: watch for twice as long
    received = fleet.sink.settle(30)
    per_reader = Counter(r.recipients[0].lower() for r in received)
    assert per_reader == Counter({a: 1 for a in addresses}), "not one confirmation each"

    ahead = 0
    for i, mail in enumerate(received):
        [path] = [p for p in links_in(mail) if p.startswith("/bevestigen/")]
        ahead += (signed_at(app, path) - arrived).total_seconds() > 10
        reader = {"REMOTE_ADDR": f"192.0.2.{i + 1}"}  # each from their own phone: no rate limit
        page = client.get(path, environ_overrides=reader)
        assert page.status_code == 200, page.get_data(as_text=True)
        tokens = form_tokens(client, path)
        done = client.post(path, data=tokens, environ_overrides=reader)
        assert "U bent aangemeld" in done.get_data(as_text=True)
    print(f"\n{READERS} sign-ups: {ahead} confirmation links made on the worker 30 s ahead")
    assert ahead > 0, "the fast worker sent no confirmation: the test proved nothing"
