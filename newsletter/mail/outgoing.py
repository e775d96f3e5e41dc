"""The one way out: every mail is DKIM-signed here (when configured) and handed to a relay.

- `Session`: one SMTP session to one relay that signs each message; an edition's batch opens
  its own, to the relay `relays.choose` names.
- `send()`: one message over the calling thread's pooled session (transactional mail and
  test-sends), so a worker thread pays for connect + EHLO once, not per mail; when its relay
  cannot be reached it goes to the next one (see relays.py).
Both raise the transport's errors: Temporary/Connection/Permanent failure, RecipientRefused.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import TracebackType

from flask import current_app

from newsletter import metrics
from newsletter.mail import relays
from newsletter.mail.dkim import signed
from newsletter.mail.message import sender_address
from newsletter.mail.transport import ConnectionFailure, SmtpConnection
from newsletter.settings import Settings, SmtpUrl

log = logging.getLogger(__name__)
_pool = threading.local()


class Session:
    """`with Session(settings) as session: session.send(data, recipient)`"""

    def __init__(
        self, settings: Settings, relay: SmtpUrl | None = None, timeout: float | None = None
    ) -> None:
        self.settings = settings
        self.relay = relay or settings.smtp_url
        self.sender = sender_address(settings.mail_from)
        kwargs = {} if timeout is None else {"timeout": timeout}
        self.connection = SmtpConnection(self.relay, **kwargs)

    def send(
        self,
        data: bytes,
        recipient: str,
        ready: Callable[[], object] | None = None,
        then: str | None = None,
    ) -> None:
        """`ready` and `then`: see SmtpConnection.send (before the final dot; the next
        recipient, whose envelope goes out behind this message)."""
        if not self.connection.is_open:
            self.connection.open()
            relays.succeeded(self.relay)  # a session opened: this relay works again
        self.connection.send(signed(data, self.settings), self.sender, recipient, ready, then)
        metrics.RELAY_MAILS.labels(self.relay.label).inc()

    @property
    def offered(self) -> str | None:
        """See SmtpConnection.offered."""
        return self.connection.offered

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
    """This thread's session, to the relay of choice (back to the first one once it is up)."""
    choice = relays.choose(settings.relays)
    relay = choice.relay or settings.smtp_url  # all circuits open: try anyway, it is one mail
    session = getattr(_pool, "session", None)
    if session is None or session.settings is not settings or session.relay is not relay:
        if session is not None:
            session.close()
        session = _pool.session = Session(settings, relay)
    return session


def send(data: bytes, recipient: str) -> None:
    """One mail over this thread's session. A session the relay dropped is reopened once (it
    may have timed out on the server's side); a relay that cannot be reached at all opens its
    circuit, and the mail goes to the next relay."""
    settings: Settings = current_app.config["SETTINGS"]
    with metrics.SMTP_SECONDS.time():
        for attempt in range(len(settings.relays) + 1):
            session = _pooled(settings)
            try:
                session.send(data, recipient)
                break
            except ConnectionFailure as exc:
                session.close()
                if attempt == 0:
                    continue  # the same relay once more, on a fresh connection
                relays.failed_quietly(session.relay)
                metrics.RELAY_FAILURES.labels(session.relay.label).inc()
                log.warning("relay %s cannot be reached: %s", session.relay.label, exc)
                if attempt == len(settings.relays):
                    raise
    metrics.MAILS.labels("transactional", "sent").inc()


def close_pooled() -> None:
    """Called when a worker thread stops, so its SMTP session ends with QUIT."""
    session = getattr(_pool, "session", None)
    if session is not None:
        session.close()
        _pool.session = None
