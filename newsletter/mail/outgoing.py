"""The one way out: every mail is DKIM-signed here (when configured) and handed to a relay.

- `Session`: one SMTP session to one relay that signs each message; an edition's batch opens
  its own, to the relay `relays.choose` names, and has its messages signed a run at a time
  (`Session.sign`, see delivery/ahead.py).
- `send()`: one message over the calling thread's pooled session (transactional mail and
  test-sends), so a worker thread pays for connect + EHLO once, not per mail; when its relay
  cannot be reached it goes to the next one (see relays.py).
Both raise the transport's errors: Temporary/Connection/Permanent failure, RecipientRefused.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Signed:
    """A message as `Session.sign` left it: signed (when DKIM is configured), ready to go."""

    data: bytes


class Session:
    """`with Session(settings) as session: session.send(data, recipient)`"""

    def __init__(
        self,
        settings: Settings,
        relay: SmtpUrl | None = None,
        timeout: float | None = None,
        turn: str | None = None,
    ) -> None:
        """`turn`: this session probes its relay (relays.Choice.turn). A mail it delivers
        closes the circuit; a failed connection ends the turn (relays.failed); a session that
        never tried gives the turn back when it closes."""
        self.settings = settings
        self.relay = relay or settings.smtp_url
        self.turn = turn
        self.sender = sender_address(settings.mail_from)
        kwargs = {} if timeout is None else {"timeout": timeout}
        self.connection = SmtpConnection(self.relay, **kwargs)

    def sign(self, data: bytes, hashed: bytes | None = None) -> Signed:
        """The message DKIM-signed when configured; `hashed`: see dkim.signed."""
        return Signed(signed(data, self.settings, hashed))

    def send(
        self,
        data: bytes | Signed,
        recipient: str,
        ready: Callable[[], object] | None = None,
        then: str | None = None,
    ) -> None:
        """`data` is signed here unless `sign()` did it. `ready` and `then`: see
        SmtpConnection.send (before the final dot; the next recipient, whose envelope goes
        out behind this message)."""
        if not self.connection.is_open:
            self.connection.open()
            self.turn = None
            relays.succeeded(self.relay)  # a session opened: this relay works again
        message = data if isinstance(data, Signed) else self.sign(data)
        self.connection.send(message.data, self.sender, recipient, ready, then)
        if self.turn:  # probing over a connection opened before: it carried a mail
            self.turn = None
            relays.succeeded(self.relay)
        metrics.RELAY_MAILS.labels(self.relay.label).inc()

    @property
    def offered(self) -> str | None:
        """See SmtpConnection.offered."""
        return self.connection.offered

    def failed(self) -> int:
        """This session's relay cannot be reached (relays.failed); its probe turn is over."""
        turn, self.turn = self.turn, None
        return relays.failed(self.relay, turn)

    def close(self) -> None:
        self.connection.close()
        if self.turn:  # taken, never used: the next caller may probe now
            turn, self.turn = self.turn, None
            relays.give_back(self.relay, turn)

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
        session = _pool.session = Session(settings, relay, turn=choice.turn)
    elif choice.turn:
        session.turn = choice.turn  # an open session probes: its next mail decides
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
                relays.failed_quietly(session.relay)  # close() above ended any probe turn
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
