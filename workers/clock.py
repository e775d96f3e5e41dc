"""A clock in every worker process; one tick per interval over all of them.

Each worker process runs a small thread. Every RECONCILE_SECONDS it tries to take a Redis lock
that lives exactly one interval; whoever gets it queues the `reconcile` message (scheduled
editions, stranded batches). So there is no extra process to deploy or to forget, any number of
workers make one tick, and after a Redis FLUSHALL the next tick simply takes the lock again.
"""

from __future__ import annotations

import logging
import threading

import dramatiq
from dramatiq.middleware import Middleware
from flask import Flask

from newsletter import jobs
from newsletter.extensions import db
from newsletter.jobs import enqueue_after_commit

log = logging.getLogger(__name__)
LOCK = "ravijn:clock"


class ClockMiddleware(Middleware):
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self.stopping.clear()
        self.thread = threading.Thread(target=self._run, name="ravijn-clock", daemon=True)
        self.thread.start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            interval = self.app.config["SETTINGS"].reconcile_seconds
            if self.stopping.wait(interval):
                return
            self.tick(interval)

    def tick(self, interval: float) -> bool:
        """Queue one `reconcile` if no other process did so in this interval."""
        try:
            with self.app.app_context():
                redis = self.app.extensions["redis"]
                if not redis.set(LOCK, "1", nx=True, px=int(interval * 1000)):
                    return False
                enqueue_after_commit(jobs.RECONCILE)
                db.session.commit()  # nothing written: the commit only sends the message
                db.session.remove()
                return True
        except Exception:  # Redis away: the next tick tries again
            log.exception("clock tick failed")
            return False
