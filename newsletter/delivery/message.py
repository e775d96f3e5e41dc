"""MIME messages: multipart/alternative, text first, with the headers every mail needs."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr

from newsletter.database import utcnow
from newsletter.rendering.mjml import RenderedEmail


def sender_address(mail_from: str) -> str:
    """The bare address of MAIL_FROM, used as envelope sender."""
    return parseaddr(mail_from)[1]


def sender_domain(mail_from: str) -> str:
    return sender_address(mail_from).rpartition("@")[2] or "localhost"


def build_message(
    rendered: RenderedEmail,
    *,
    mail_from: str,
    to_address: str,
    to_name: str | None = None,
    extra_headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A transactional mail. No List-Unsubscribe: this is not list mail."""
    message = EmailMessage(policy=SMTP)
    message["From"] = mail_from
    message["To"] = Address(display_name=to_name or "", addr_spec=to_address)
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=sender_domain(mail_from))
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (extra_headers or {}).items():
        message[name] = value
    message.set_content(rendered.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


def build_list_message(
    *,
    subject: str,
    html: str,
    text: str,
    mail_from: str,
    to_address: str,
    to_name: str | None,
    list_id: str,
    unsubscribe_url: str,
) -> EmailMessage:
    """A list mail (edition): RFC 2369 List-* headers and RFC 8058 one-click unsubscribe."""
    message = EmailMessage(policy=SMTP)
    message["From"] = mail_from
    message["To"] = Address(display_name=to_name or "", addr_spec=to_address)
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=sender_domain(mail_from))
    message["List-Id"] = list_id
    mailto = f"mailto:{sender_address(mail_from)}?subject=afmelden"
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>, <{mailto}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message
