"""An edition's MIME message, built once; per reader only the splice points change.

The headers, the MIME skeleton and the rendered HTML/text are fixed per edition. For each
reader we fill in To, Message-ID, the personal links (also in List-Unsubscribe) and the name,
then quoted-printable-encode the two bodies (binascii, C speed). Message-ID is derived from the
ledger row, so a rare resend after a crash carries the same id and mail clients fold it away.
"""

from __future__ import annotations

import binascii
import re
import secrets
import threading
from dataclasses import dataclass
from email import policy
from email.utils import formataddr, formatdate

from flask import current_app

from newsletter import links
from newsletter.delivery.message import sender_address, sender_domain
from newsletter.extensions import db
from newsletter.rendering.edition import RenderedEdition, personalise
from newsletter.subscriptions.tokens import Purpose

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_TOKEN = "TOKENXTOKEN"  # noqa: S105  (a placeholder in a URL, not a secret)


@dataclass(frozen=True)
class Recipient:
    delivery_id: int
    email: str
    name: str
    public_id: str


def _header(name: str, value: str) -> bytes:
    return policy.SMTP.fold(name, value).encode("ascii")


def _qp(text: str) -> bytes:
    crlf = text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    return binascii.b2a_qp(crlf, quotetabs=False, istext=True, header=False)


class PreparedEdition:
    """`bytes_for(recipient)` gives the whole message, ready for SMTP (and for DKIM)."""

    def __init__(
        self, edition_id: int, rendered: RenderedEdition, *, mail_from: str, list_id: str
    ) -> None:
        self.edition_id = edition_id
        self.rendered = rendered
        self.sender = sender_address(mail_from)
        self.domain = sender_domain(mail_from)
        boundary = f"=_ravijn_{secrets.token_hex(12)}"  # '=' never occurs in QP bodies
        self.head = b"".join(
            [
                _header("From", mail_from),
                _header("Subject", rendered.subject),
                _header("List-Id", list_id),
                b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
                b"MIME-Version: 1.0\r\n",
                f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'.encode(),
            ]
        )
        self.text_head = (
            f'\r\n--{boundary}\r\nContent-Type: text/plain; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        ).encode()
        self.html_head = (
            f'\r\n--{boundary}\r\nContent-Type: text/html; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{boundary}--\r\n".encode()
        self.mailto = f"mailto:{self.sender}?subject=afmelden"
        signer = links.signer()
        self._sign = signer.dumps
        self._unsubscribe = links.external_url("subscriptions.unsubscribe", token=_TOKEN).partition(
            _TOKEN
        )
        self._preferences = links.external_url("subscriptions.preferences", token=_TOKEN).partition(
            _TOKEN
        )

    def _url(self, parts: tuple[str, str, str], purpose: Purpose, public_id: str) -> str:
        return parts[0] + self._sign(purpose, public_id) + parts[2]

    def bytes_for(self, recipient: Recipient) -> bytes:
        unsubscribe = self._url(self._unsubscribe, Purpose.unsubscribe, recipient.public_id)
        preferences = self._url(self._preferences, Purpose.preferences, recipient.public_id)
        name = _CONTROL.sub(" ", recipient.name).strip()
        html, text = personalise(
            self.rendered,
            {"name": name, "preferences_url": preferences, "unsubscribe_url": unsubscribe},
        )
        to = formataddr((name, recipient.email), charset="utf-8")
        return b"".join(
            [
                self.head,
                b"To: ",
                to.encode("ascii", "strict"),
                b"\r\nDate: ",
                formatdate(usegmt=True).encode(),
                f"\r\nMessage-ID: <{self.edition_id}.{recipient.delivery_id}.ravijn@{self.domain}>"
                f"\r\nList-Unsubscribe: <{unsubscribe}>, <{self.mailto}>\r\n".encode(),
                self.text_head,
                _qp(text),
                self.html_head,
                _qp(html),
                self.tail,
            ]
        )


_cache: dict[tuple[int, object], PreparedEdition] = {}
_lock = threading.Lock()


def prepared_for(edition_id: int) -> PreparedEdition:
    """The edition rendered and prepared once per worker process (published editions are frozen)."""
    from newsletter.editions import services as editions
    from newsletter.editions.models import Edition

    edition = db.session.get(Edition, edition_id)
    if edition is None:
        raise LookupError(f"edition {edition_id} is gone")
    key = (edition_id, edition.updated_at)
    with _lock:
        prepared = _cache.get(key)
    if prepared is None:
        settings = current_app.config["SETTINGS"]
        prepared = PreparedEdition(
            edition_id,
            editions.render(edition),
            mail_from=settings.mail_from,
            list_id=settings.list_id,
        )
        with _lock:
            if len(_cache) >= 8:
                _cache.clear()
            _cache[key] = prepared
    return prepared
