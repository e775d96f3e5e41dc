"""SMTP connections from SMTP_URL; errors sorted into 'try again later' and 'never again'."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from types import TracebackType

from newsletter.settings import SmtpUrl

TIMEOUT_SECONDS = 30


class TemporaryFailure(Exception):
    """4xx or a connection problem: retry later."""


class ConnectionFailure(TemporaryFailure):
    """No session with the relay (refused, timed out, dropped, 421): not this recipient's fault."""


class PermanentFailure(Exception):
    """5xx for this message: never retry."""


class RecipientRefused(PermanentFailure):
    """5xx at RCPT: the address itself is bad, so the reader bounces."""


class SmtpConnection:
    """One SMTP session, reusable for many messages (`with SmtpConnection(url) as smtp: ...`)."""

    def __init__(self, url: SmtpUrl, timeout: float = TIMEOUT_SECONDS) -> None:
        self.url = url
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None
        #: the recipient whose MAIL, RCPT and DATA went out behind the last message's data
        self._offered: str | None = None

    def open(self) -> None:
        try:
            if self.url.ssl:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.url.host,
                    self.url.port,
                    timeout=self.timeout,
                    context=ssl.create_default_context(),
                )
            else:
                smtp = smtplib.SMTP(self.url.host, self.url.port, timeout=self.timeout)
                if self.url.starttls:
                    smtp.starttls(context=ssl.create_default_context())
            if smtp.sock is not None:
                # a message goes out in two writes (data, then its dot and the next envelope):
                # without this, Nagle holds the second one back until the first is
                # acknowledged, and the server's delayed ACK makes that 40 ms
                smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.url.username:
                smtp.login(self.url.username, self.url.password or "")
        except (OSError, smtplib.SMTPException) as exc:
            raise ConnectionFailure(
                f"cannot connect to {self.url.host}:{self.url.port}: {exc}"
            ) from exc
        self._smtp = smtp

    @property
    def is_open(self) -> bool:
        return self._smtp is not None

    @property
    def offered(self) -> str | None:
        """The recipient whose envelope went out behind the last message, if any: the next
        send must be to them (or the session ends without it)."""
        return self._offered

    def close(self) -> None:
        if self._offered is not None:  # the server may be waiting for data: no QUIT then
            self._abort()
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def __enter__(self) -> SmtpConnection:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def send(
        self,
        message: EmailMessage | bytes,
        sender: str,
        recipient: str,
        ready: Callable[[], object] | None = None,
        then: str | None = None,
    ) -> None:
        """Hand one message to the server; raises Temporary/PermanentFailure.

        With PIPELINING (RFC 2920) MAIL, RCPT and DATA go out in one write; with `then` (the
        next recipient, from the same sender) the next message's MAIL, RCPT and DATA follow
        this one's final dot in the same write, so a message costs one round trip instead of
        two. The data is dot-stuffed while the server answers. `ready` runs after this
        message's data and before its final dot: what must be done before the server may
        accept it (a send settles the previous reader's mark there). If it raises, the
        connection is dropped without the final dot, so nothing is delivered.
        """
        if self._offered is not None and self._offered != recipient:
            self._abort()  # offered someone else: that envelope cannot be taken back
        if self._smtp is None:
            self.open()
        assert self._smtp is not None
        data = message if isinstance(message, bytes) else message.as_bytes(policy=SMTP_POLICY)
        try:
            self._transaction(self._smtp, sender, recipient, data, ready, then)
        except (OSError, smtplib.SMTPException) as exc:  # timeouts, resets, disconnects
            self.close()
            raise ConnectionFailure(f"connection lost: {exc}") from exc

    def _abort(self) -> None:
        """Close without QUIT: in the middle of DATA a QUIT would become part of the message."""
        self._offered = None
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def _transaction(
        self,
        smtp: smtplib.SMTP,
        sender: str,
        recipient: str,
        data: bytes,
        ready: Callable[[], object] | None,
        then: str | None,
    ) -> None:
        smtp.ehlo_or_helo_if_needed()
        pipelining = smtp.has_extn("pipelining")
        replies = self._envelope(smtp, sender, recipient, pipelining)
        wire = _stuffed(data)  # our work while the server answers
        replies += [smtp.getreply() for _ in range(3 - len(replies))] if pipelining else []
        replies += [(503, b"not sent")] * (3 - len(replies))
        (mail, mail_text), (rcpt, rcpt_text), (go, go_text) = replies
        if 421 in (mail, rcpt, go):
            self.close()
            raise ConnectionFailure("421 the server closes the session")
        if go == 354 and (mail != 250 or rcpt not in (250, 251)):
            smtp.send(b".\r\n")  # some servers say 354 anyway: end that empty message
            smtp.getreply()
        if mail != 250:
            # our MAIL FROM refused: a relay or configuration problem, never a reader's bounce
            self.close()
            raise ConnectionFailure(f"sender refused: {mail} {_text(mail_text)}")
        if rcpt not in (250, 251):
            self._reset()  # the session is still good for the next recipient
            if 500 <= rcpt < 600:
                raise RecipientRefused(f"{rcpt} {_text(rcpt_text)}")
            raise TemporaryFailure(f"{rcpt} {_text(rcpt_text)}")
        if go != 354:
            self._reset()
            raise _classify(go, go_text)
        smtp.send(wire)
        if ready is not None:
            try:
                ready()
            except BaseException:
                self._abort()
                raise
        end = b".\r\n"
        if then is not None and pipelining:
            end += _pipelined(sender, then)
            self._offered = then
        smtp.send(end)
        code, text = smtp.getreply()
        if code == 421:
            self.close()
            raise ConnectionFailure(f"421 {_text(text)}")
        if code != 250:
            raise _classify(code, text)

    def _envelope(
        self, smtp: smtplib.SMTP, sender: str, recipient: str, pipelining: bool
    ) -> list[tuple[int, bytes]]:
        """Sends MAIL, RCPT and DATA unless they went out behind the last message. With
        PIPELINING the replies are read by the caller; without, one at a time here."""
        if self._offered == recipient:
            self._offered = None
            return []
        if pipelining:
            smtp.send(_pipelined(sender, recipient))
            return []
        replies: list[tuple[int, bytes]] = []
        for command in _commands(sender, recipient):
            smtp.putcmd(command)
            replies.append(smtp.getreply())
            if replies[-1][0] >= 400:
                break
        return replies

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()


def _commands(sender: str, recipient: str) -> list[str]:
    return [f"MAIL FROM:<{sender}>", f"RCPT TO:<{recipient}>", "DATA"]


def _pipelined(sender: str, recipient: str) -> bytes:
    """The three commands in one write; ASCII, as smtplib sends its own commands."""
    return "".join(c + "\r\n" for c in _commands(sender, recipient)).encode("ascii")


def _stuffed(data: bytes) -> bytes:
    """A leading dot doubled (RFC 5321 4.5.2), ending in CRLF. The message is already in wire
    form: every builder (message.compose, PreparedEdition, the SMTP policy, DKIM) writes CRLF
    line ends, and tests/unit/test_wire_form.py holds each of them to it. Checking that here
    again cost a quarter of a bulk worker's own time (three scans of every message)."""
    if b"\n." in data:
        data = b"\r\n..".join(data.split(b"\r\n."))  # one scan; replace() makes two
    if data.startswith(b"."):
        data = b"." + data
    return data if data.endswith(b"\r\n") else data + b"\r\n"  # the final dot's line


def _text(text: bytes | str) -> str:
    return text.decode(errors="replace") if isinstance(text, bytes) else str(text)


def _classify(code: int, text: bytes | str) -> Exception:
    detail = _text(text)
    if 500 <= code < 600:
        return PermanentFailure(f"{code} {detail}")
    return TemporaryFailure(f"{code} {detail}")
