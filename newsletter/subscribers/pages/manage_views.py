"""Thin view of a reader's full details, behind a manage link: mailed to the address on file
a moment ago, so whoever opens it reads that mailbox. Name, municipality, role, the address
change and "Toch weer aanmelden" are here and nowhere else."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from newsletter.reference.services import all_gemeenten, find_gemeente, option_label
from newsletter.subscribers import lifecycle
from newsletter.subscribers.addresses import masked
from newsletter.subscribers.links import signer
from newsletter.subscribers.models import Role, SubscriberState
from newsletter.subscribers.pages.forms import AddressForm, PreferencesForm
from newsletter.subscribers.pages.subscriber_links import managed
from newsletter.subscribers.tokens import Purpose


def manage(token: str) -> str | Response | tuple[str, int]:
    subscriber, refused = managed(token)
    if subscriber is None:
        return refused  # type: ignore[return-value]
    if request.method == "POST" and request.form.get("actie") == "weer-aanmelden":
        lifecycle.resubscribe(subscriber.public_id)
        return redirect(url_for("subscribers.manage", token=token, terug="ja"), code=303)
    if subscriber.state == SubscriberState.unsubscribed and request.method == "POST":
        abort(409)  # the fields are not shown to someone who unsubscribed
    form = PreferencesForm(
        data={}
        if request.method == "POST"
        else {
            "name": subscriber.name,
            "gemeente": option_label(subscriber.gemeente) if subscriber.gemeente else "",
            "role": subscriber.role.value,
        }
    )
    saved = False
    if form.validate_on_submit():
        gemeente = find_gemeente(form.gemeente.data)
        assert gemeente is not None  # the form validated it
        lifecycle.change_preferences(
            subscriber.public_id,
            lifecycle.ProfileChange(form.name.data, gemeente.code, Role(form.role.data)),
        )
        saved = True
    return render_template(
        "site/manage.html",
        form=form,
        options=[option_label(g) for g in all_gemeenten()],
        saved=saved,
        back=request.args.get("terug") == "ja",
        subscriber=subscriber,
        token=token,
        address_form=AddressForm(prefix="adres"),
        pending_masked=masked(subscriber.pending_email) if subscriber.pending_email else "",
        masked_email=masked(subscriber.email),
        unsubscribe_token=signer().dumps(Purpose.unsubscribe, subscriber.public_id),
    ), (422 if form.errors else 200)
