"""SMTP connections from SMTP_URL; errors sorted into 'try again later' and 'never again'."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
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
            if self.url.username:
                smtp.login(self.url.username, self.url.password or "")
        except (OSError, smtplib.SMTPException) as exc:
            raise ConnectionFailure(
                f"cannot connect to {self.url.host}:{self.url.port}: {exc}"
            ) from exc
        self._smtp = smtp

    def close(self) -> None:
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

    def send(self, message: EmailMessage | bytes, sender: str, recipient: str) -> None:
        """Hand one message to the server; raises Temporary/PermanentFailure."""
        if self._smtp is None:
            self.open()
        assert self._smtp is not None
        data = message if isinstance(message, bytes) else message.as_bytes()
        try:
            self._smtp.sendmail(sender, [recipient], data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            self._reset()  # the session is still good for the next recipient
            if 500 <= code < 600:
                raise RecipientRefused(f"{code} {_text(text)}") from exc
            raise _classify(code, text) from exc
        except smtplib.SMTPSenderRefused as exc:
            # our MAIL FROM refused: a relay or configuration problem, never the reader's bounce
            self.close()
            raise ConnectionFailure(
                f"sender refused: {exc.smtp_code} {_text(exc.smtp_error)}"
            ) from exc
        except smtplib.SMTPServerDisconnected as exc:
            self.close()
            raise ConnectionFailure(f"connection lost: {exc}") from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:  # the server is closing the session
                self.close()
                raise ConnectionFailure(f"421 {_text(exc.smtp_error)}") from exc
            self._reset()
            raise _classify(exc.smtp_code, exc.smtp_error) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise ConnectionFailure(f"connection lost: {exc}") from exc

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()


def _text(text: bytes | str) -> str:
    return text.decode(errors="replace") if isinstance(text, bytes) else str(text)


def _classify(code: int, text: bytes | str) -> Exception:
    detail = _text(text)
    if 500 <= code < 600:
        return PermanentFailure(f"{code} {detail}")
    return TemporaryFailure(f"{code} {detail}")
