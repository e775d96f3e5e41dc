"""Transactional mails: decide whether the mail is still due, render it, hand it to SMTP.

Called by the worker's thin actors with a subscriber id. Each function re-reads the subscriber:
a pending sign-up gets nothing but its confirmation, a confirmed one no confirmation at all.
"""

from __future__ import annotations

import logging
import threading
from email.message import EmailMessage

from flask import current_app

from newsletter import links
from newsletter.delivery.message import build_list_message, build_message, sender_address
from newsletter.delivery.transport import ConnectionFailure, SmtpConnection
from newsletter.extensions import db
from newsletter.rendering.mjml import render_email
from newsletter.settings import SmtpUrl
from newsletter.subscriptions.models import Status, Subscriber

log = logging.getLogger(__name__)


_connections = threading.local()


def _connection(url: SmtpUrl) -> SmtpConnection:
    """One SMTP session per worker thread, reused across mails (connect + EHLO cost more)."""
    connection = getattr(_connections, "smtp", None)
    if connection is None or connection.url != url:
        if connection is not None:
            connection.close()
        connection = _connections.smtp = SmtpConnection(url)
    return connection


def close_connection() -> None:
    """Called when a worker thread stops, so its SMTP session ends with QUIT."""
    connection = getattr(_connections, "smtp", None)
    if connection is not None:
        connection.close()
        _connections.smtp = None


def _send(message: EmailMessage, recipient: str) -> None:
    settings = current_app.config["SETTINGS"]
    smtp = _connection(settings.smtp_url)
    try:
        smtp.send(message, sender_address(settings.mail_from), recipient)
    except ConnectionFailure:
        # the reused session may have timed out on the server's side: one fresh try, then retry
        smtp.close()
        smtp.send(message, sender_address(settings.mail_from), recipient)


def _deliver(subscriber: Subscriber, template: str, subject: str, context: dict[str, str]) -> None:
    settings = current_app.config["SETTINGS"]
    rendered = render_email(template, subject, {"name": subscriber.name, **context})
    message = build_message(
        rendered, mail_from=settings.mail_from, to_address=subscriber.email, to_name=subscriber.name
    )
    _send(message, subscriber.email)
    log.info("sent %s mail to subscriber %s", template, subscriber.id)


def _load(subscriber_id: int, *statuses: Status) -> Subscriber | None:
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None or subscriber.status not in statuses:
        return None
    return subscriber


def _ask_to_confirm(subscriber_id: int, template: str, subject: str, *statuses: Status) -> bool:
    subscriber = _load(subscriber_id, *statuses)
    if subscriber is None:
        return False
    url = links.confirm_url(subscriber.public_id, subscriber.confirm_nonce)
    _deliver(subscriber, template, subject, {"confirm_url": url})
    return True


def send_confirmation(subscriber_id: int) -> bool:
    return _ask_to_confirm(
        subscriber_id,
        "confirm",
        "Bevestig je aanmelding voor OVER het ravijn",
        Status.pending,
        Status.unsubscribed,
        Status.bounced,
    )


def send_repermission(subscriber_id: int) -> bool:
    """An imported reader without proof of consent: asked once, double opt-in as on the form."""
    return _ask_to_confirm(
        subscriber_id,
        "repermission",
        "Wilt u OVER het ravijn ontvangen? Graag uw bevestiging",
        Status.pending,
    )


def send_welcome(subscriber_id: int) -> bool:
    subscriber = _load(subscriber_id, Status.active)
    if subscriber is None:
        return False
    _deliver(
        subscriber,
        "welcome",
        "Welkom bij OVER het ravijn",
        {
            "preferences_url": links.preferences_url(subscriber.public_id),
            "unsubscribe_url": links.unsubscribe_url(subscriber.public_id),
        },
    )
    return True


def send_already_subscribed(subscriber_id: int) -> bool:
    subscriber = _load(subscriber_id, Status.active)
    if subscriber is None:
        return False
    _deliver(
        subscriber,
        "already_subscribed",
        "Je bent al aangemeld voor OVER het ravijn",
        {"preferences_url": links.preferences_url(subscriber.public_id)},
    )
    return True


def send_test_edition(edition_id: int, editor_id: int) -> bool:
    """The real edition to the editor's own address, "[TEST]" in the subject."""
    from newsletter.editions import services as editions
    from newsletter.editions.models import Edition, Editor

    edition, editor = db.session.get(Edition, edition_id), db.session.get(Editor, editor_id)
    if edition is None or editor is None:
        return False
    settings = current_app.config["SETTINGS"]
    sample = editions.sample(edition, editor.name or editor.email)
    message = build_list_message(
        subject=f"[TEST] {sample.subject}",
        html=sample.html,
        text=sample.text,
        mail_from=settings.mail_from,
        to_address=editor.email,
        to_name=editor.name,
        list_id=settings.list_id,
        unsubscribe_url=sample.web_url,
    )
    _send(message, editor.email)
    return True


def send_goodbye(subscriber_id: int) -> bool:
    subscriber = _load(subscriber_id, Status.unsubscribed)
    if subscriber is None:
        return False
    _deliver(
        subscriber,
        "goodbye",
        "Je bent afgemeld voor OVER het ravijn",
        {"signup_url": links.external_url("subscriptions.signup")},
    )
    return True
