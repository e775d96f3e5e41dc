"""A worker killed mid-send: its message comes back to another worker within about 30 s.

The broker is tuned in newsletter.jobs.build_broker (15 s heartbeat timeout, maintenance on
one command in ten); this test kills a real `dramatiq workers` process with SIGKILL while it
waits for the SMTP server, starts a second one, and times the redelivery.
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
    from newsletter.jobs import enqueue_after_commit

    sub = make_subscriber(db, "crash@x.example", name="C", state=SubscriberState.pending)
    enqueue_after_commit("send_confirmation", sub.id)
    db.session.commit()

    sink.handler.delay = 60  # the first delivery hangs in DATA
    first = start_worker()
    second = None
    try:
        deadline = time.monotonic() + 30
        while sink.handler.started == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sink.handler.started == 1, "the first worker never reached the SMTP server"
        os.killpg(first.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        sink.handler.delay = 0
        second = start_worker()
        delivered = sink.wait_for(1, timeout=60)
        waited = time.monotonic() - killed_at
        print(f"\nmessage of the killed worker delivered {waited:.1f} s after SIGKILL")
        assert [r.recipients for r in delivered][:1] == [["crash@x.example"]]
        assert waited < 45  # "about 30 s": 15 s heartbeat + maintenance + boot, on a busy CI box
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
