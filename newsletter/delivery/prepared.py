"""An edition's MIME message, built once; per reader only the splice points change.

The headers, the MIME skeleton and the rendered HTML/text are fixed per edition, and so are
the bodies: each stretch between two personal markers is quoted-printable-encoded once and
ends in a soft line break ("=" CRLF, which decoding removes), so the reader's own values (name,
links) can be encoded on their own and dropped in between. Per reader that is a few short
strings, not 20 kB of encoding. Message-ID is derived from the ledger row, so a rare resend
after a crash carries the same id and mail clients fold it away.
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
from markupsafe import escape

from newsletter import links
from newsletter.delivery.message import sender_address, sender_domain
from newsletter.editions import services as editions
from newsletter.editions.models import Edition
from newsletter.extensions import db
from newsletter.rendering.edition import MARKER, RenderedEdition
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


def _crlf(encoded: bytes) -> bytes:
    # b2a_qp writes its soft breaks with LF when the input has no CRLF; in encoded text
    # every raw LF is a line break, so this is safe
    return encoded.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _qp(text: str) -> bytes:
    data = text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    return _crlf(binascii.b2a_qp(data, quotetabs=False, istext=True, header=False))


SOFT_BREAK = b"=\r\n"


def _qp_open(text: str) -> bytes:
    """Encoded so that more may follow: ends in a soft line break, no line over 76."""
    data = text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    # a stand-in last character keeps room for the "=" on the last line, then goes
    encoded = binascii.b2a_qp(data + b"X", quotetabs=False, istext=True, header=False)[:-1]
    encoded = _crlf(encoded)
    return encoded if encoded.endswith(SOFT_BREAK) else encoded + SOFT_BREAK


def _pieces(body: str, nonce: str) -> list[bytes | str]:
    """Encoded static stretches (bytes) and the keys of the personal values between them."""
    pieces: list[bytes | str] = []
    position = 0
    for match in MARKER.finditer(body):
        if match.group(1) != nonce:
            continue  # text that only looks like a marker stays text
        pieces.append(_qp_open(body[position : match.start()]))
        pieces.append(match.group(2))
        position = match.end()
    pieces.append(_qp(body[position:]))
    return pieces


def _fill(pieces: list[bytes | str], values: dict[str, bytes]) -> bytes:
    return b"".join(p if isinstance(p, bytes) else values.get(p, b"") for p in pieces)


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
        self.html = _pieces(rendered.html, rendered.nonce)
        self.text = _pieces(rendered.text, rendered.nonce)
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
        values = {"name": name, "preferences_url": preferences, "unsubscribe_url": unsubscribe}
        text = {k: _qp_open(v) for k, v in values.items()}
        html = {k: _qp_open(str(escape(v))) for k, v in values.items()}
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
                _fill(self.text, text),
                self.html_head,
                _fill(self.html, html),
                self.tail,
            ]
        )


_cache: dict[tuple[int, object], PreparedEdition] = {}
_lock = threading.Lock()


def prepared_for(edition_id: int) -> PreparedEdition:
    """The edition rendered and prepared once per worker process (published editions are frozen)."""
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
