"""What the reader's pages share about links: the page a link that does not work leads to, and
the manage link (one hour, bound to the address it was mailed to)."""

from __future__ import annotations

from flask import current_app, render_template, url_for

from newsletter.subscribers import lifecycle
from newsletter.subscribers.links import MANAGE_LINK_SECONDS, digest, signer
from newsletter.subscribers.models import Subscriber
from newsletter.subscribers.pages.forms import LeaveForm, ResendForm
from newsletter.subscribers.tokens import Purpose, TokenExpired, TokenInvalid

#: which door a link was for -> where its "Stuur een nieuwe link" form posts (None: the
#: address form of "Afmelden met uw e-mailadres" is the fresh link)
RESEND_TO = {
    "bevestigen": "subscribers.resend",
    "gegevens": "subscribers.new_preferences_link",
    "wijzigen": "subscribers.new_preferences_link",
    "afmelden": None,
}


def offer(
    kind: str,
    expired: bool,
    status: int,
    form: ResendForm | None = None,
    leave_form: LeaveForm | None = None,
) -> tuple[str, int]:
    """A link that is expired or broken: a fresh link by mail, and "Afmelden met uw
    e-mailadres". Never "meld u opnieuw aan": whoever holds a link was on the list."""
    action = RESEND_TO[kind]
    page = render_template(
        "site/link_problem.html",
        kind=kind,
        expired=expired,
        resend_action=url_for(action) if action else None,
        form=form or ResendForm(),
        leave_form=leave_form or LeaveForm(prefix="afmelden"),
        days=current_app.config["SETTINGS"].preferences_link_days,
    )
    return page, status


def subscriber_for_manage_link(token: str) -> Subscriber:
    """The reader behind a manage link. TokenExpired when it is over an hour old, or was mailed
    to an address that is no longer the reader's; TokenInvalid when it is broken or the reader
    is gone."""
    public_id, mailed_to = signer().load_pair(Purpose.manage, token, MANAGE_LINK_SECONDS)
    try:
        subscriber = lifecycle.get_by_public_id(public_id)
    except lifecycle.UnknownSubscriber:
        raise TokenInvalid("no such reader") from None
    if digest(subscriber.email) != mailed_to:
        raise TokenExpired("mailed to an earlier address")
    return subscriber


def managed(token: str) -> tuple[Subscriber | None, tuple[str, int] | None]:
    """The reader behind a manage link, or the page that offers a fresh link instead (the one
    place the manage pages load their reader)."""
    try:
        return subscriber_for_manage_link(token), None
    except TokenExpired:
        return None, offer("wijzigen", expired=True, status=410)
    except TokenInvalid:
        return None, offer("wijzigen", expired=False, status=404)
