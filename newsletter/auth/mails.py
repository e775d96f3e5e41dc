"""Mails to editors: the password link, and the notices other packages send them (approval
asked, a send missed, a webhook switched off). Through the one way out, like every mail."""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app

from newsletter.auth import passwords
from newsletter.auth.models import Editor
from newsletter.extensions import db
from newsletter.mail import message, outgoing
from newsletter.rendering.mjml import RenderedEmail, render_email
from newsletter.urls import external_url, footer_links

# mail leaves the admin: neutral wording (no pronoun), so no mail of ours is informal
WELCOME = (
    "Een account voor de redactie van OVER het ravijn",
    "Welkom bij de redactie",
    "Dit adres heeft nu een account op de redactiepagina's van OVER het ravijn. Kies via de "
    "link een wachtwoord. De link werkt drie dagen en één keer.",
    "Niet verwacht? Meld het aan de beheerder die het account maakte.",
)
RESET = (
    "Een nieuw wachtwoord voor de redactie van OVER het ravijn",
    "Een nieuw wachtwoord",
    "Voor dit adres is een nieuw wachtwoord gevraagd op de redactiepagina's van OVER het "
    "ravijn. Kies via de link een nieuw wachtwoord. De link werkt een uur en één keer.",
    "Niet gevraagd? Dan is er niets te doen: het wachtwoord blijft hetzelfde.",
)


def send_password_link(editor_id: int, welcome: bool) -> bool:
    editor = db.session.get(Editor, editor_id)
    if editor is None or not editor.is_active:
        return False
    url = external_url("auth.new_password", token=passwords.token_for(editor, welcome))
    subject, heading, intro, unasked = WELCOME if welcome else RESET
    values = {"url": url, "heading": heading, "intro": intro, "unasked": unasked}
    values |= footer_links()
    rendered = render_email(
        "editor_password", subject, {"name": editor.name or editor.email, **values}
    )
    _send(editor, rendered)
    return True


def send_notice(
    editors: Sequence[Editor], subject: str, heading: str, intro: str, url: str, **extra: str
) -> int:
    """One notice, the same for each editor (`extra`: e.g. link_label). How many were mailed."""
    rendered = render_email(
        "editor_notice",
        subject,
        {"heading": heading, "intro": intro, "url": url, **extra, **footer_links()},
    )
    for editor in editors:
        _send(editor, rendered)
    return len(editors)


def _send(editor: Editor, rendered: RenderedEmail) -> None:
    data = message.compose(
        mail_from=current_app.config["SETTINGS"].mail_from,
        to_address=editor.email,
        to_name=editor.name,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
    )
    outgoing.send(data, editor.email)
