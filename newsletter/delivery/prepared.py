"""An edition's MIME message, built once; per reader only the splice points change.

The headers, the MIME skeleton and the rendered HTML/text are fixed per edition, and so are
the bodies: each stretch between two personal markers is quoted-printable-encoded once and
ends in a soft line break ("=" CRLF, which decoding removes), so the reader's own values (name,
links) can be encoded on their own and dropped in between. Per reader that is a few short
strings, not 20 kB of encoding. Message-ID is derived from the ledger row, so a rare resend
after a crash carries the same id and mail clients fold it away.

The editor's test-send is `bytes_for()` too, with sample values, the test address and "[TEST]"
before the subject: otherwise the very message readers get (same builder, headers and HTML).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass, field

from flask import current_app
from markupsafe import escape

from newsletter.counts import links as counted_links
from newsletter.editions import services as editions
from newsletter.mail import message
from newsletter.mail.canonical import PiecewiseBody
from newsletter.rendering.edition import RenderedEdition
from newsletter.rendering.markers import Markers
from newsletter.subscribers.links import signer
from newsletter.subscribers.tokens import Purpose
from newsletter.urls import external_url

_TOKEN = "TOKENXTOKEN"  # noqa: S105  (a placeholder in a URL, not a secret)


@dataclass(frozen=True)
class Recipient:
    delivery_id: int | None  # None for a test-send: no ledger row
    email: str
    name: str
    public_id: str = ""
    subscriber_id: int = 0
    #: fixed personal links (a test-send points them at the web version); else signed ones
    links: dict[str, str] = field(default_factory=dict)


def row_tag(edition_id: int, row_id: int, key: str) -> str:
    """Proof that a Message-ID is ours: an HMAC of edition and ledger row. Row numbers are
    sequential; without the tag anyone could write a DSN for another reader's row."""
    message = f"ravijn.message-id.v1:{edition_id}.{row_id}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:16]


def message_id_for(edition_id: int, row_id: int, domain: str, key: str) -> str:
    return f"<{edition_id}.{row_id}.{row_tag(edition_id, row_id, key)}.ravijn@{domain}>"


def _encode(stretch: str, last: bool) -> bytes:
    return message.qp(stretch) if last else message.qp_open(stretch)


class PreparedEdition:
    """`bytes_for(recipient)` gives the whole message, ready for SMTP (and for DKIM)."""

    def __init__(
        self, edition_id: int, rendered: RenderedEdition, *, mail_from: str, list_id: str
    ) -> None:
        self.edition_id = edition_id
        self.rendered = rendered
        self.domain = message.sender_domain(mail_from)
        self.skeleton = message.Skeleton.new()
        self.mail_from = mail_from
        self._key = current_app.config["SETTINGS"].secret_keys[0]
        self.head = self._head(rendered.subject)
        self.list_id = list_id
        markers = Markers(rendered.nonce)
        self.html = markers.split(rendered.html, _encode)
        self.text = markers.split(rendered.text, _encode)
        # DKIM's body hash, canonicalised once for the fixed stretches (the body begins
        # after the blank line that ends the head, inside text_head)
        slots = [
            self.skeleton.text_head.removeprefix(b"\r\n"),
            *(p if isinstance(p, bytes) else None for p in self.text),
            self.skeleton.html_head,
            *(p if isinstance(p, bytes) else None for p in self.html),
            self.skeleton.tail,
        ]
        self.body = PiecewiseBody.new(slots) if self.skeleton.text_head[:2] == b"\r\n" else None
        self.mailto = message.unsubscribe_mailto(mail_from)
        self._sign = signer().dumps
        # ?editie=: an unsubscribe through this mail counts for this edition (no reader in it)
        self._unsubscribe = external_url(
            "subscribers.unsubscribe", token=_TOKEN, editie=str(edition_id)
        ).partition(_TOKEN)
        self._preferences = external_url("subscribers.preferences", token=_TOKEN).partition(_TOKEN)

    def _head(self, subject: str) -> bytes:
        return message.header("From", self.mail_from) + message.header("Subject", subject)

    def _url(self, parts: tuple[str, str, str], purpose: Purpose, public_id: str) -> str:
        return parts[0] + self._sign(purpose, public_id) + parts[2]

    def _links(self, recipient: Recipient) -> dict[str, str]:
        if recipient.links:
            return recipient.links
        return {
            "unsubscribe_url": self._url(
                self._unsubscribe, Purpose.unsubscribe, recipient.public_id
            ),
            "preferences_url": self._url(
                self._preferences, Purpose.preferences, recipient.public_id
            ),
        }

    def message_id(self, recipient: Recipient) -> str:
        row = recipient.delivery_id
        if row is None:  # never our ledger pattern, so a bounce of a test changes nobody
            return f"<{self.edition_id}.test-{secrets.token_hex(8)}.ravijn@{self.domain}>"
        return message_id_for(self.edition_id, row, self.domain, self._key)

    def bytes_for(self, recipient: Recipient, *, subject_prefix: str = "") -> bytes:
        """The message for one reader; a test-send marks its subject with `subject_prefix`."""
        return self.signable_for(recipient, subject_prefix=subject_prefix)[0]

    def signable_for(
        self, recipient: Recipient, *, subject_prefix: str = ""
    ) -> tuple[bytes, bytes | None]:
        """bytes_for(), and the body hash DKIM signs (None: the signer hashes the body)."""
        links = self._links(recipient)
        name = message.one_line(recipient.name)
        values = {"name": name, **links}
        text = {k: message.qp_open(v) for k, v in values.items()}
        html = {k: message.qp_open(str(escape(v))) for k, v in values.items()}
        head = b"".join(
            [
                self._head(subject_prefix + self.rendered.subject) if subject_prefix else self.head,
                message.address_header("To", name, recipient.email),
                message.date_header(),
                f"Message-ID: {self.message_id(recipient)}\r\n".encode("ascii"),  # ours: digits
                message.list_headers(self.list_id, links["unsubscribe_url"], self.mailto),
            ]
        )
        data = self.skeleton.wrap(head, _fill(self.text, text), _fill(self.html, html))
        if self.body is None:
            return data, None
        slots = [text.get(p, b"") for p in self.text if isinstance(p, str)]
        slots += [html.get(p, b"") for p in self.html if isinstance(p, str)]
        return data, self.body.digest(slots)


def _fill(pieces: list[bytes | str], values: dict[str, bytes]) -> bytes:
    return b"".join(p if isinstance(p, bytes) else values.get(p, b"") for p in pieces)


_cache: dict[tuple[int, object], PreparedEdition] = {}
_lock = threading.Lock()


def prepared_for(edition_id: int, *, counted: bool = True) -> PreparedEdition:
    """The edition rendered and prepared once per worker process (published editions are frozen).
    `counted`: the readers' mail, its links counted (counts.links); a test-send's are not."""
    edition = editions.get(edition_id)
    key = (edition_id, edition.updated_at, counted)
    with _lock:
        prepared = _cache.get(key)
    if prepared is None:
        settings = current_app.config["SETTINGS"]
        rendered = editions.render(edition)
        prepared = PreparedEdition(
            edition_id,
            counted_links.for_send(edition_id, rendered) if counted else rendered,
            mail_from=settings.mail_from,
            list_id=settings.list_id,
        )
        with _lock:
            if len(_cache) >= 8:
                _cache.clear()
            _cache[key] = prepared
    return prepared


def sample_recipient(edition_id: int, email: str, name: str) -> Recipient:
    """A test-send's reader: the test address, and personal links to the web version."""
    url = editions.web_url(edition_id)
    return Recipient(None, email, name, links={"unsubscribe_url": url, "preferences_url": url})
