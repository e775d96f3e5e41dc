"""Thin views: parse the form into a frozen request, call a service, render Dutch pages."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from newsletter.reference.services import all_gemeenten, find_gemeente, option_label
from newsletter.subscribers import lifecycle
from newsletter.subscribers.addresses import InvalidEmail, masked, normalise_email
from newsletter.subscribers.consent import CONSENT_TEXT, ip_prefix, source_code
from newsletter.subscribers.links import manage_token, signer
from newsletter.subscribers.models import Role
from newsletter.subscribers.pages.forms import ConfirmForm, ResendForm, SignupForm
from newsletter.subscribers.pages.guards import (
    AGAIN,
    REPLAYED,
    address_allowed,
    new_time_trap,
    time_trap,
)
from newsletter.subscribers.pages.subscriber_links import offer
from newsletter.subscribers.tokens import Purpose, TokenExpired, TokenInvalid


def _settings():
    return current_app.config["SETTINGS"]


def _options() -> list[str]:
    return [option_label(g) for g in all_gemeenten()]


def home() -> str:
    return render_template("site/home.html")


def privacy() -> str:
    """From the settings and the retention the code enforces (one source for both)."""
    settings = _settings()
    facts = {
        "controller": settings.privacy_controller,
        "contact": settings.privacy_contact,
        "dpo": settings.privacy_dpo,
        "pending_hours": settings.confirm_max_age_seconds // 3600,
        "import_days": lifecycle.IMPORT_REPORT_DAYS,
    }
    return render_template("site/privacy.html", consent_text=CONSENT_TEXT, privacy=facts)


def signup() -> str | Response | tuple[str, int]:
    """Every field is checked in one pass. A form sent faster than a person types (autofill and
    Enter) is not dropped: the page asks to press the button once more. The answer page repeats
    the address and says truthfully what happens next."""
    form = SignupForm()
    again = False
    if form.validate_on_submit():
        email = normalise_email(form.email.data)  # the form checked it
        settings = _settings()
        if form.website.data:  # the hidden field: only a program fills it in
            return _answer(form.email.data)
        trap = time_trap(form.started.data, settings.signup_min_seconds)
        if trap == AGAIN:
            again = True
        elif trap == REPLAYED:
            return _answer(form.email.data)
        elif not address_allowed(email.key, settings.signup_address_limit):
            return _answer(form.email.data, too_often=True)
        else:
            gemeente = find_gemeente(form.gemeente.data)
            assert gemeente is not None  # the form validated it
            lifecycle.submit_signup(
                lifecycle.SignupRequest(
                    email=email,
                    name=form.name.data,
                    gemeente_code=gemeente.code,
                    role=Role(form.role.data),
                    ip_prefix=ip_prefix(request.remote_addr),
                    bron=source_code(form.bron.data),
                )
            )
            return _answer(form.email.data)
    form.started.data = new_time_trap()
    if request.method == "GET":
        form.bron.data = source_code(request.args.get("bron"))
    status = 422 if form.errors else 200
    return render_template(
        "site/signup.html",
        form=form,
        options=_options(),
        consent_text=CONSENT_TEXT,
        again=again,
    ), status


def _answer(address: str, too_often: bool = False) -> Response:
    """The address goes with the reader's own session (never in the URL or a log)."""
    session["signup_address"] = address.strip()[:254]
    session["signup_too_often"] = too_often
    return redirect(url_for("subscribers.check_inbox"), code=303)


def check_inbox() -> str:
    minutes = max(1, _settings().confirmation_interval_seconds // 60)
    interval = "uur" if minutes == 60 else f"{minutes} minuten"
    return render_template(
        "site/check_inbox.html",
        address=session.pop("signup_address", ""),
        too_often=session.pop("signup_too_often", False),
        interval=interval,
    )


def _link_problem(expired: bool) -> tuple[str, int]:
    return offer("bevestigen", expired, status=410 if expired else 400)


def confirm(token: str) -> str | Response | tuple[str, int]:
    try:
        public_id, nonce = signer().load_pair(
            Purpose.confirm, token, max_age=_settings().confirm_max_age_seconds
        )
    except TokenExpired:
        return _link_problem(expired=True)
    except TokenInvalid:
        return _link_problem(expired=False)
    form = ConfirmForm()
    try:
        if request.method == "POST" and form.validate_on_submit():
            outcome = lifecycle.confirm(public_id, nonce)
        else:
            outcome = lifecycle.confirmation_state(public_id, nonce)
    except lifecycle.UnknownSubscriber:
        return _link_problem(expired=False)
    if outcome is lifecycle.ConfirmOutcome.awaiting:
        return render_template("site/confirm.html", form=form)
    if outcome is lifecycle.ConfirmOutcome.stale:
        return _link_problem(expired=True)
    # only right after confirming from the mailbox: the details open for an hour; an old link
    # that a scanner replays gets no key to them
    token = None
    if outcome in (lifecycle.ConfirmOutcome.confirmed, lifecycle.ConfirmOutcome.returned):
        token = manage_token(public_id, lifecycle.get_by_public_id(public_id).email)
    return render_template(
        "site/confirmed.html",
        already=outcome is lifecycle.ConfirmOutcome.already_confirmed,
        welcome=outcome is lifecycle.ConfirmOutcome.confirmed,
        manage_token=token,
    )


def _link_by_mail(kind: lifecycle.LinkKind, page) -> str | Response | tuple[str, int]:
    """An e-mail address in, a link by mail out (when due); one answer, and one stored request
    with one job, for every address (the worker decides whether a mail goes)."""
    form = ResendForm()
    if form.validate_on_submit():
        try:
            email = normalise_email(form.email.data)
        except InvalidEmail as exc:
            form.email.errors = [str(exc)]
        else:
            if address_allowed(email.key, _settings().signup_address_limit):
                lifecycle.submit_link_request(kind, email)
            return redirect(url_for("subscribers.check_inbox"), code=303)
    return page(form), 422


def resend() -> str | Response | tuple[str, int]:
    return _link_by_mail(
        lifecycle.LinkKind.confirmation,
        lambda form: offer("bevestigen", expired=True, status=422, form=form)[0],
    )


def new_preferences_link() -> str | Response | tuple[str, int]:
    """A fresh preferences link by mail; the same answer whether or not the address is known."""
    return _link_by_mail(
        lifecycle.LinkKind.preferences,
        lambda form: offer("gegevens", expired=True, status=422, form=form)[0],
    )


def preferences(token: str) -> str | tuple[str, int]:
    """The page behind the link in every mail (90 days, and mails get forwarded): a masked
    address, "Afmelden", and a button that mails a manage link to the address on file. The
    details, the address change and "Toch weer aanmelden" open only through that link."""
    try:
        public_id = signer().load_str(
            Purpose.preferences, token, _settings().preferences_link_days * 86400
        )
        subscriber = lifecycle.get_by_public_id(public_id)
    except TokenExpired:
        return offer("gegevens", expired=True, status=410)
    except (TokenInvalid, lifecycle.UnknownSubscriber):
        return offer("gegevens", expired=False, status=404)
    form = ConfirmForm()
    sent = too_often = False
    if form.validate_on_submit():
        if address_allowed(subscriber.email_key, _settings().signup_address_limit):
            lifecycle.request_manage_link(subscriber.public_id)
            sent = True
        else:
            too_often = True
    return render_template(
        "site/preferences.html",
        form=form,
        subscriber=subscriber,
        sent=sent,
        too_often=too_often,
        masked_email=masked(subscriber.email),
        unsubscribe_token=signer().dumps(Purpose.unsubscribe, subscriber.public_id),
    ), (429 if too_often else 200)
