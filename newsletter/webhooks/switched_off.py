"""The mail to the beheerders when a receiver is switched off, through the one way out."""

from __future__ import annotations

from newsletter.auth import accounts, mails
from newsletter.auth.roles import BEHEERDER
from newsletter.extensions import db
from newsletter.urls import external_url
from newsletter.webhooks.models import Webhook


def send_switched_off(webhook_id: int) -> int:
    """The number of beheerders mailed (0 when the receiver is gone or back on)."""
    hook = db.session.get(Webhook, webhook_id)
    if hook is None or hook.enabled:
        return 0
    chosen = [e for e in accounts.all_editors() if e.is_active and BEHEERDER in e.role_list]
    return mails.send_notice(
        chosen,
        "Webhook uitgezet",
        "Een webhook is uitgezet",
        f"De ontvanger {hook.url} gaf een dag lang geen goed antwoord "
        f"({hook.last_status or 'onbekend'}). Daarom zijn de berichten aan deze "
        "ontvanger gestopt. Los het op bij de ontvanger en zet de webhook daarna weer "
        "aan op de pagina Webhooks.",
        external_url("webhooks.index"),
        link_label="Naar de webhooks",
    )
