"""Thin views of leaving: the unsubscribe link (RFC 8058 one-click, or a button), its undo in
the browser that pressed it, and "Afmelden met uw e-mailadres" for whoever has no working link."""

from __future__ import annotations

from flask import current_app, render_template, request, session
from werkzeug.wrappers import Response

from newsletter.extensions import csrf
from newsletter.subscribers import lifecycle
from newsletter.subscribers.addresses import normalise_email
from newsletter.subscribers.links import signer
from newsletter.subscribers.models import ConsentSource, Subscriber, SubscriberState
from newsletter.subscribers.pages.forms import ConfirmForm, LeaveForm
from newsletter.subscribers.pages.guards import address_allowed
from newsletter.subscribers.pages.subscriber_links import offer
from newsletter.subscribers.tokens import Purpose, TokenInvalid

Page = str | Response | tuple[str, int] | tuple[str, int, dict[str, str]]
#: the reader this browser unsubscribed just now: only this browser may undo it
UNDO_KEY = "undo_unsubscribe"


def _subscriber(token: str) -> Subscriber | None:
    try:
        return lifecycle.get_by_public_id(signer().load_str(Purpose.unsubscribe, token))
    except (TokenInvalid, lifecycle.UnknownSubscriber):
        return None


def _edition() -> int | None:
    """The edition whose mail held this link (`?editie=12`, added when it was sent): counted
    for that edition. Not signed: changing it moves one's own unsubscribe to another count."""
    value = request.args.get("editie", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


def _unsubscribed(token: str, subscriber: Subscriber) -> str:
    undo = session.get(UNDO_KEY) == subscriber.public_id
    return render_template(
        "site/unsubscribed.html", token=token if undo else None, form=ConfirmForm()
    )


@csrf.exempt
def unsubscribe(token: str) -> Page:
    subscriber = _subscriber(token)
    if subscriber is None:  # broken, mistyped, or the reader was erased
        return offer("afmelden", expired=False, status=404)
    if request.method == "POST" and request.form.get("List-Unsubscribe") == "One-Click":
        # RFC 8058: a mail client posts without cookies or CSRF token; answer 200, no redirect.
        lifecycle.unsubscribe(subscriber.public_id, ConsentSource.one_click, edition_id=_edition())
        return "U bent afgemeld voor OVER het ravijn.\n", 200, {"Content-Type": "text/plain"}
    # an unsubscribe link never expires and may sit in a forwarded mail: it opens no other
    # door; the way back is an undo in the browser that pressed the button, for half an hour
    if request.method == "POST":
        csrf.protect()
        if lifecycle.unsubscribe(
            subscriber.public_id, ConsentSource.preferences_page, edition_id=_edition()
        ):
            session[UNDO_KEY] = subscriber.public_id
        return _unsubscribed(token, subscriber)
    if subscriber.state == SubscriberState.unsubscribed:
        return _unsubscribed(token, subscriber)
    return render_template("site/unsubscribe.html", form=ConfirmForm())


def come_back(token: str) -> Page:
    """'Toch weer aanmelden' right after unsubscribing: an undo, in the same browser."""
    subscriber = _subscriber(token)
    if subscriber is None:
        return offer("afmelden", expired=False, status=404)
    if session.get(UNDO_KEY) == subscriber.public_id:
        back = lifecycle.resubscribe(subscriber.public_id, undo=True)
        if back is not None:
            session.pop(UNDO_KEY, None)
            return render_template(
                "site/resubscribed.html", welcome=back is lifecycle.Returned.welcome
            )
    return render_template("site/unsubscribed.html", token=None, form=None, too_late=True), 409


def leave_by_mail() -> Page:
    """The same answer, after the same work, whether or not the address is on the list: the
    request stores it and a worker decides (as for a sign-up)."""
    form = LeaveForm(prefix="afmelden")
    if form.validate_on_submit():
        email = normalise_email(form.email.data)  # the form checked it
        limit = current_app.config["SETTINGS"].signup_address_limit
        if address_allowed(email.key, limit, when_down=True):  # leaving never waits for Redis
            lifecycle.submit_unsubscribe_request(email)
        return render_template("site/leave_sent.html", address=form.email.data.strip()[:254])
    status = 422 if form.errors else 200
    return render_template("site/leave.html", leave_form=form), status
