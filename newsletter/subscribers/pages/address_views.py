"""Thin views of a change of e-mail address: asked behind a manage link (mailed to the address
on file), confirmed with a button behind the link in the new mailbox (mail scanners open links;
a button they do not press)."""

from __future__ import annotations

from flask import abort, current_app, render_template
from werkzeug.wrappers import Response

from newsletter.subscribers import lifecycle
from newsletter.subscribers.addresses import normalise_email
from newsletter.subscribers.links import signer
from newsletter.subscribers.pages.forms import AddressForm, ConfirmForm
from newsletter.subscribers.pages.guards import address_allowed
from newsletter.subscribers.pages.subscriber_links import managed
from newsletter.subscribers.tokens import Purpose, TokenExpired, TokenInvalid

Page = str | Response | tuple[str, int]


def change_address(token: str) -> Page:
    """Behind a manage link only: whoever asks reads the mailbox on file (a forwarded
    newsletter's preferences link cannot move the subscription to another mailbox)."""
    subscriber, refused = managed(token)
    if subscriber is None:
        return refused  # type: ignore[return-value]
    form = AddressForm(prefix="adres")
    if not form.validate_on_submit():
        return render_template("site/address_form.html", form=form, token=token), 422
    new = normalise_email(form.email.data)
    limit = current_app.config["SETTINGS"].signup_address_limit
    # the same limit as sign-ups, for the new mailbox and for this reader: a link to the
    # preferences page cannot be used to mail any address again and again
    if not (address_allowed(new.key, limit) and address_allowed(subscriber.email_key, limit)):
        form.email.errors = [
            "U vroeg het afgelopen uur al vaak om een ander adres. Probeer het over een uur "
            "opnieuw."
        ]
        return render_template("site/address_form.html", form=form, token=token), 429
    if not lifecycle.request_address_change(subscriber.public_id, new):
        form.email.errors = ["Dit is al uw adres. Vul een ander adres in."]
        return render_template("site/address_form.html", form=form, token=token), 422
    return render_template("site/address_sent.html", address=new.address)


def confirm_address(token: str) -> Page:
    try:
        public_id, expected = signer().load_pair(Purpose.address, token, max_age=72 * 3600)
    except TokenExpired:
        return render_template("site/address_done.html", outcome="expired"), 410
    except TokenInvalid:
        abort(404, description="link")
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("site/address_confirm.html", form=form)
    try:
        outcome = lifecycle.confirm_address_change(public_id, expected)
    except lifecycle.UnknownSubscriber:
        abort(404, description="link")
    status = (
        200 if outcome in (lifecycle.AddressOutcome.changed, lifecycle.AddressOutcome.same) else 409
    )
    return render_template("site/address_done.html", outcome=outcome.value), status
