"""The mail to the beheerders when a receiver is switched off, through the one way out."""

from __future__ import annotations

from flask import current_app

from newsletter.auth import accounts
from newsletter.auth.roles import BEHEERDER
from newsletter.extensions import db
from newsletter.mail import message, outgoing
from newsletter.rendering.mjml import render_email
from newsletter.urls import external_url, footer_links
from newsletter.webhooks.models import Webhook


def send_switched_off(webhook_id: int) -> int:
    """The number of beheerders mailed (0 when the receiver is gone or back on)."""
    hook = db.session.get(Webhook, webhook_id)
    if hook is None or hook.enabled:
        return 0
    rendered = render_email(
        "editor_notice",
        "Webhook uitgezet",
        {
            "heading": "Een webhook is uitgezet",
            "intro": (
                f"De ontvanger {hook.url} gaf een dag lang geen goed antwoord "
                f"({hook.last_status or 'onbekend'}). Daarom zijn de berichten aan deze "
                "ontvanger gestopt. Los het op bij de ontvanger en zet de webhook daarna weer "
                "aan op de pagina Webhooks."
            ),
            "url": external_url("webhooks.index"),
            "link_label": "Naar de webhooks",
            **footer_links(),
        },
    )
    sender = current_app.config["SETTINGS"].mail_from
    chosen = [e for e in accounts.all_editors() if e.is_active and BEHEERDER in e.role_list]
    for editor in chosen:
        data = message.compose(
            mail_from=sender,
            to_address=editor.email,
            to_name=editor.name,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
        )
        outgoing.send(data, editor.email)
    return len(chosen)
