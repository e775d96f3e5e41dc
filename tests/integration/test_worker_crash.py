"""A worker killed mid-send: its message comes back to another worker within about 30 s.

The broker is tuned in newsletter.jobs.build_broker (15 s heartbeat timeout, maintenance on
every other command); this test starts a second `dramatiq workers` process, kills the first with
SIGKILL while it waits for the SMTP server, and times the redelivery. The second one is up
before the kill (its heartbeat is in Redis), so its boot on a busy machine is not timed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from newsletter.settings import PROJECT_ROOT
from newsletter.subscribers.models import SubscriberState
from tests.factories import make_subscriber

pytestmark = pytest.mark.slow
HEARTBEATS = "dramatiq:__heartbeats__"  # Dramatiq's Redis broker: worker id -> last heartbeat


def start_worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "dramatiq", "workers", "--processes", "1", "--threads", "1"],
        cwd=PROJECT_ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_killed_worker_message_is_redelivered(app, db, sink, paused_worker):
    from newsletter import jobs
    from newsletter.jobs import enqueue_after_commit

    sub = make_subscriber(db, "crash@x.example", name="C", state=SubscriberState.pending)
    enqueue_after_commit(jobs.SEND_CONFIRMATION, sub.id)
    db.session.commit()

    sink.handler.delay = 60  # the first delivery hangs in DATA
    first = start_worker()
    second = None
    try:
        deadline = time.monotonic() + 30
        while sink.handler.started == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sink.handler.started == 1, "the first worker never reached the SMTP server"
        redis = app.extensions["broker"].client
        known = set(redis.zrange(HEARTBEATS, 0, -1))
        second = start_worker()
        deadline = time.monotonic() + 60
        while not set(redis.zrange(HEARTBEATS, 0, -1)) - known:
            assert time.monotonic() < deadline, "the second worker did not start in 60 s"
            time.sleep(0.1)
        os.killpg(first.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        sink.handler.delay = 0
        delivered = sink.wait_for(1, timeout=60)
        waited = time.monotonic() - killed_at
        print(f"\nmessage of the killed worker delivered {waited:.1f} s after SIGKILL")
        assert [r.recipients for r in delivered][:1] == [["crash@x.example"]]
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
