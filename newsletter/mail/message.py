"""The one message builder: header lines checked to be one line, quoted-printable bodies, and the
multipart/alternative skeleton (text first) that every mail we send shares.

Transactional mail is composed here in one call; an edition (delivery's `PreparedEdition`) uses
the same pieces once per edition and splices each reader's values in between.
"""

from __future__ import annotations

import binascii
import secrets
import time
from dataclasses import dataclass
from email import policy
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from newsletter.rendering.lines import line_problem, one_line

SOFT_BREAK = b"=\r\n"


class HeaderError(ValueError):
    """A header value that could break out of its line; the message is Dutch."""


def check_header_value(name: str, value: str) -> str:
    """Refuse anything that a mail program could read as more than one header line."""
    problem = line_problem(value)
    if problem:
        raise HeaderError(f"{name}: {problem}")
    return value


def header(name: str, value: str) -> bytes:
    """One checked header line, folded and RFC 2047-encoded where needed, ending in CRLF."""
    check_header_value(name, value)
    if value.isascii() and len(name) + len(value) < 76:  # the common case, per reader: fast
        return f"{name}: {value}\r\n".encode("ascii")
    if value.isascii():
        return _fold_ascii(name, value)
    # the header object, not policy.fold(): fold() leaves a short non-ASCII value unencoded
    return policy.SMTP.header_factory(name, value).fold(policy=policy.SMTP).encode("ascii")


def _fold_ascii(name: str, value: str) -> bytes:
    """Fold at spaces into lines of at most 78 characters, the first one holding words too
    (the standard library's folder may leave `Subject:` alone on its line, and then readers
    see the subject with a leading space). Unfolding gives back exactly `value`."""
    lines, current = [], f"{name}:"
    for word in value.split(" "):
        if len(current) + 1 + len(word) > 78 and current.strip() and current != f"{name}:":
            lines.append(current)
            current = ""
        current += " " + word
    lines.append(current)
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def address_header(name: str, display_name: str, address: str) -> bytes:
    """`To: "Name" <address>`, the name RFC 2047-encoded when it is not ASCII."""
    display_name = one_line(display_name)
    check_header_value(name, address)
    # formataddr quotes and RFC 2047-encodes the name itself; refolding it through the mail
    # policy can lose the quoting of a decoded ';' or ',' (the address then breaks): one line
    value = check_header_value(name, formataddr((display_name, address), charset="utf-8"))
    return f"{name}: {value}\r\n".encode("ascii")


def sender_address(mail_from: str) -> str:
    """The bare address of MAIL_FROM, used as envelope sender."""
    return parseaddr(mail_from)[1]


def sender_domain(mail_from: str) -> str:
    return sender_address(mail_from).rpartition("@")[2] or "localhost"


_date_cache: tuple[int, bytes] = (0, b"")


def date_header() -> bytes:
    """Now, in RFC 5322 form (GMT): built per message, so formatted once per second."""
    global _date_cache
    now = int(time.time())
    second, header = _date_cache
    if second != now:
        header = b"Date: " + formatdate(now, usegmt=True).encode("ascii") + b"\r\n"
        _date_cache = (now, header)
    return header


def new_message_id(mail_from: str) -> str:
    return make_msgid(domain=sender_domain(mail_from))


def _crlf(encoded: bytes) -> bytes:
    # b2a_qp writes its soft breaks with LF when the input has no CRLF; in encoded text
    # every raw LF is a line break, so this is safe
    return encoded.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _utf8_crlf(text: str) -> bytes:
    """Every line end CRLF, a lone CR too: mail leaves in wire form (see transport._stuffed)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n").encode("utf-8")


def qp(text: str) -> bytes:
    """Quoted-printable body text, CRLF line ends."""
    return _crlf(binascii.b2a_qp(_utf8_crlf(text), quotetabs=False, istext=True, header=False))


def qp_open(text: str) -> bytes:
    """Encoded so that more may follow: ends in a soft line break, no line over 76."""
    # a stand-in last character keeps room for the "=" on the last line, then goes
    encoded = binascii.b2a_qp(_utf8_crlf(text) + b"X", quotetabs=False, istext=True, header=False)
    encoded = _crlf(encoded[:-1])
    return encoded if encoded.endswith(SOFT_BREAK) else encoded + SOFT_BREAK


#: on every mail we send, editions and transactional alike: the language of the body (RFC 3282;
#: screen readers and translators read it), and Exchange/Outlook asked to send no out-of-office
#: or auto-replies to the sender (which is also the unsubscribe mailto)
SHARED_HEADERS = b"Content-Language: nl\r\nX-Auto-Response-Suppress: OOF, AutoReply\r\n"


@dataclass(frozen=True)
class Skeleton:
    """multipart/alternative: the shared and MIME headers and the separators around both parts."""

    content_type: bytes
    text_head: bytes
    html_head: bytes
    tail: bytes

    @classmethod
    def new(cls) -> Skeleton:
        boundary = f"=_ravijn_{secrets.token_hex(12)}"  # '=' never occurs in QP bodies
        part = (
            '\r\n--{b}\r\nContent-Type: text/{kind}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        )
        return cls(
            content_type=SHARED_HEADERS
            + (
                "MIME-Version: 1.0\r\n"
                f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'
            ).encode(),
            text_head=part.format(b=boundary, kind="plain").encode(),
            html_head=part.format(b=boundary, kind="html").encode(),
            tail=f"\r\n--{boundary}--\r\n".encode(),
        )

    def wrap(self, head: bytes, text_body: bytes, html_body: bytes) -> bytes:
        return b"".join(
            [
                head,
                self.content_type,
                self.text_head,
                text_body,
                self.html_head,
                html_body,
                self.tail,
            ]
        )


def list_headers(list_id: str, unsubscribe_url: str, mailto: str) -> bytes:
    """RFC 2369 List-Id and List-Unsubscribe (folded after the comma), RFC 8058 one-click."""
    for value in (unsubscribe_url, mailto):
        if not value.isascii() or " " in value or len(value) > 900:
            raise HeaderError("List-Unsubscribe: ongeldige link.")
        check_header_value("List-Unsubscribe", value)
    return b"".join(
        [
            header("List-Id", list_id),
            f"List-Unsubscribe: <{unsubscribe_url}>,\r\n <{mailto}>\r\n".encode("ascii"),
            b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
        ]
    )


def unsubscribe_mailto(mail_from: str) -> str:
    return f"mailto:{sender_address(mail_from)}?subject=afmelden"


def compose(
    *,
    mail_from: str,
    to_address: str,
    to_name: str,
    subject: str,
    text: str,
    html: str,
    extra: bytes = b"",
) -> bytes:
    """A whole transactional mail, ready for SMTP (and DKIM). Not list mail: no List-*."""
    head = b"".join(
        [
            header("From", mail_from),
            address_header("To", to_name, to_address),
            header("Subject", subject),
            date_header(),
            header("Message-ID", new_message_id(mail_from)),
            b"Auto-Submitted: auto-generated\r\n",
            extra,
        ]
    )
    return Skeleton.new().wrap(head, qp(text), qp(html))
