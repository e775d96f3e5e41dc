"""Run each message inside a fresh app context and leave no database session behind."""

from __future__ import annotations

import threading

import dramatiq
from dramatiq.middleware import Middleware
from flask import Flask

from newsletter.delivery import batches
from newsletter.extensions import db
from newsletter.mail import outgoing


class AppContextMiddleware(Middleware):
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.local = threading.local()

    def before_process_message(self, broker: dramatiq.Broker, message: dramatiq.Message) -> None:
        context = self.app.app_context()
        context.push()
        self.local.context = context

    def _pop(self) -> None:
        context = getattr(self.local, "context", None)
        if context is None:
            return
        try:
            db.session.remove()
        finally:
            context.pop()
            self.local.context = None

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: dramatiq.Message,
        *,
        result: object = None,
        exception: BaseException | None = None,
    ) -> None:
        self._pop()

    def after_skip_message(self, broker: dramatiq.Broker, message: dramatiq.Message) -> None:
        self._pop()

    def after_worker_boot(self, broker: dramatiq.Broker, worker: object) -> None:
        batches.STOPPING.clear()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: object) -> None:
        # a batch stops between two mails (never between the 250 and the ledger update)
        batches.STOPPING.set()

    def before_worker_thread_shutdown(self, broker: dramatiq.Broker, thread: object) -> None:
        outgoing.close_pooled()
