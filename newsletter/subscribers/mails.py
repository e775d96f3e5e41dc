"""Transactional mails to a subscriber: decide whether the mail is still due, render, send.

Called by the worker's thin actors with a subscriber id. Each function re-reads the subscriber:
a pending sign-up gets nothing but its confirmation, a confirmed one no confirmation at all.
The mail leaves through the one way out (`newsletter.mail.outgoing`): signed, pooled SMTP.
"""

from __future__ import annotations

import logging

from flask import current_app

from newsletter.extensions import db
from newsletter.mail import message, outgoing
from newsletter.mail.transport import PermanentFailure
from newsletter.rendering.mjml import render_email
from newsletter.subscribers import lifecycle, links
from newsletter.subscribers.addresses import masked
from newsletter.subscribers.models import Subscriber, SubscriberState
from newsletter.urls import external_url, footer_links

log = logging.getLogger(__name__)


def _deliver(
    subscriber: Subscriber,
    template: str,
    subject: str,
    context: dict[str, str],
    *,
    by_name: bool = True,
    to: str | None = None,
) -> None:
    """`by_name=False` for the confirmation: its name was typed by whoever filled in the form,
    so it appears nowhere in the mail, the To header included."""
    rendered = render_email(
        template, subject, {"name": subscriber.name, **footer_links(), **context}
    )
    data = message.compose(
        mail_from=current_app.config["SETTINGS"].mail_from,
        to_address=to or subscriber.email,
        to_name=subscriber.name if by_name else "",
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
    )
    outgoing.send(data, to or subscriber.email)
    log.info("sent %s mail to subscriber %s", template, subscriber.id)


def _load(subscriber_id: int, *states: SubscriberState) -> Subscriber | None:
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None or subscriber.state not in states:
        return None
    return subscriber


def _ask_to_confirm(
    subscriber_id: int, template: str, subject: str, *states: SubscriberState
) -> bool:
    subscriber = _load(subscriber_id, *states)
    if subscriber is None:
        return False
    url = links.confirm_url(subscriber.public_id, subscriber.confirm_nonce)
    _deliver(subscriber, template, subject, {"confirm_url": url}, by_name=False)
    return True


def send_confirmation(subscriber_id: int) -> bool:
    return _ask_to_confirm(
        subscriber_id,
        "confirm",
        "Bevestig uw aanmelding voor OVER het ravijn",
        SubscriberState.pending,
        SubscriberState.unsubscribed,
        SubscriberState.bounced,
        SubscriberState.complained,
    )


def send_repermission(subscriber_id: int) -> bool:
    """An imported reader without proof of consent: asked once, double opt-in as on the form."""
    return _ask_to_confirm(
        subscriber_id,
        "repermission",
        "Wilt u OVER het ravijn ontvangen? Graag uw bevestiging",
        SubscriberState.pending,
    )


def send_welcome(subscriber_id: int) -> bool:
    subscriber = _load(subscriber_id, SubscriberState.active)
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
    subscriber = _load(subscriber_id, SubscriberState.active)
    if subscriber is None:
        return False
    _deliver(
        subscriber,
        "already_subscribed",
        "U bent al aangemeld voor OVER het ravijn",
        {"preferences_url": links.preferences_url(subscriber.public_id)},
    )
    return True


def send_preferences_link(subscriber_id: int) -> bool:
    subscriber = _load(subscriber_id, SubscriberState.active)
    if subscriber is None:
        return False
    _deliver(
        subscriber,
        "preferences_link",
        "Een nieuwe link naar uw gegevens voor OVER het ravijn",
        {
            "preferences_url": links.preferences_url(subscriber.public_id),
            "days": str(current_app.config["SETTINGS"].preferences_link_days),
        },
    )
    return True


def send_goodbye(subscriber_id: int) -> bool:
    """When the return window has passed and the reader is still away (lifecycle decides);
    the claim commits once the mail went, so a failed send is tried again."""
    subscriber = lifecycle.take_goodbye(subscriber_id)
    if subscriber is None:
        db.session.commit()  # a goodbye queued again for its time leaves with this commit
        return False
    try:
        _deliver(
            subscriber,
            "goodbye",
            "U bent afgemeld voor OVER het ravijn",
            {"signup_url": external_url("subscribers.signup")},
        )
    except PermanentFailure:
        db.session.commit()  # the address refuses it: given up, never tried again
        raise
    db.session.commit()
    return True


#: what a manage link is for, in the reader's words: by the state at the moment it is sent
_MANAGE_TEXTS = {
    SubscriberState.unsubscribed: (
        "Weer aanmelden voor OVER het ravijn",
        "U vroeg om de nieuwsbrief weer te ontvangen. Gebruik de knop. Dan kunt u zich weer "
        "aanmelden.",
        "Ja, ik wil de nieuwsbrief weer",
    ),
    None: (
        "Uw gegevens wijzigen",
        "U vroeg om uw gegevens voor OVER het ravijn te wijzigen. Gebruik de knop. Dan ziet "
        "u uw naam, gemeente en functie en kunt u ze wijzigen.",
        "Mijn gegevens wijzigen",
    ),
}


def send_manage_link(subscriber_id: int) -> bool:
    """A link to the address on file, asked on the page behind a preferences link: only this
    link opens the details, the address change and "Toch weer aanmelden"."""
    subscriber = _load(
        subscriber_id, SubscriberState.active, SubscriberState.pending, SubscriberState.unsubscribed
    )
    if subscriber is None:
        return False
    heading, intro, button = _MANAGE_TEXTS.get(subscriber.state, _MANAGE_TEXTS[None])
    _deliver(
        subscriber,
        "manage_link",
        heading + " – OVER het ravijn",
        {
            "url": links.manage_url(subscriber.public_id, subscriber.email),
            "heading": heading,
            "intro": intro,
            "button": button,
        },
    )
    return True


def send_unsubscribe_link(subscriber_id: int) -> bool:
    """Asked with "Afmelden met uw e-mailadres": an unsubscribe link to the address on file."""
    subscriber = _load(subscriber_id, *lifecycle.CAN_LEAVE_BY_MAIL)
    if subscriber is None:
        return False
    _deliver(
        subscriber,
        "unsubscribe_link",
        "Afmelden voor OVER het ravijn",
        {"unsubscribe_url": links.unsubscribe_url(subscriber.public_id)},
    )
    return True


def send_address_confirmation(subscriber_id: int) -> bool:
    """To the new address only: the link that makes it the reader's address."""
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None or subscriber.pending_email is None:
        return False
    url = links.address_url(subscriber.public_id, subscriber.pending_email)
    _deliver(
        subscriber,
        "address_confirm",
        "Bevestig uw nieuwe e-mailadres voor OVER het ravijn",
        {"confirm_url": url},
        to=subscriber.pending_email,
        by_name=False,  # an unconfirmed mailbox gets no name typed on our pages
    )
    return True


def send_address_notice(subscriber_id: int) -> bool:
    """To the old address: a change was asked; nothing changes unless the new one confirms."""
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None or subscriber.pending_email is None:
        return False
    _deliver(
        subscriber,
        "address_notice",
        "Uw e-mailadres voor OVER het ravijn wordt misschien gewijzigd",
        {"new_address": masked(subscriber.pending_email)},
    )
    return True
