"""The one way out: every mail is DKIM-signed here (when configured) and handed to the relay.

- `Session`: one SMTP session that signs each message; an edition's batch opens its own.
- `send()`: one message over the calling thread's pooled session (transactional mail and
  test-sends), so a worker thread pays for connect + EHLO once, not per mail.
Both raise the transport's errors: Temporary/Connection/Permanent failure, RecipientRefused.
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType

from flask import current_app

from newsletter import metrics
from newsletter.mail.dkim import signed
from newsletter.mail.message import sender_address
from newsletter.mail.transport import ConnectionFailure, SmtpConnection
from newsletter.settings import Settings

log = logging.getLogger(__name__)
_pool = threading.local()


class Session:
    """`with Session(settings) as session: session.send(data, recipient)`"""

    def __init__(self, settings: Settings, timeout: float | None = None) -> None:
        self.settings = settings
        self.sender = sender_address(settings.mail_from)
        kwargs = {} if timeout is None else {"timeout": timeout}
        self.connection = SmtpConnection(settings.smtp_url, **kwargs)

    def send(self, data: bytes, recipient: str) -> None:
        self.connection.send(signed(data, self.settings), self.sender, recipient)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _pooled(settings: Settings) -> Session:
    session = getattr(_pool, "session", None)
    if session is None or session.settings is not settings:
        if session is not None:
            session.close()
        session = _pool.session = Session(settings)
    return session


def send(data: bytes, recipient: str) -> None:
    """One mail over this thread's session; a session the relay dropped is reopened once."""
    session = _pooled(current_app.config["SETTINGS"])
    with metrics.SMTP_SECONDS.time():
        try:
            session.send(data, recipient)
        except ConnectionFailure:
            session.close()  # it may have timed out on the server's side: one fresh try
            session.send(data, recipient)
    metrics.MAILS.labels("transactional", "sent").inc()


def close_pooled() -> None:
    """Called when a worker thread stops, so its SMTP session ends with QUIT."""
    session = getattr(_pool, "session", None)
    if session is not None:
        session.close()
        _pool.session = None
