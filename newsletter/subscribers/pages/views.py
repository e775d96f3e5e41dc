"""Thin views: parse the form into a frozen request, call a service, render Dutch pages."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from newsletter.extensions import csrf
from newsletter.reference.services import all_gemeenten, find_gemeente, option_label
from newsletter.subscribers import lifecycle
from newsletter.subscribers.addresses import InvalidEmail, masked, normalise_email
from newsletter.subscribers.consent import CONSENT_TEXT, ip_prefix
from newsletter.subscribers.links import signer
from newsletter.subscribers.models import ConsentSource, Role, SubscriberState
from newsletter.subscribers.pages.forms import (
    AddressForm,
    ConfirmForm,
    PreferencesForm,
    ResendForm,
    SignupForm,
)
from newsletter.subscribers.pages.guards import (
    AGAIN,
    REPLAYED,
    address_allowed,
    new_time_trap,
    time_trap,
)
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
                )
            )
            return _answer(form.email.data)
    form.started.data = new_time_trap()
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
    page = render_template("site/link_problem.html", expired=expired, form=ResendForm())
    return page, (410 if expired else 400)


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
    return render_template(
        "site/confirmed.html",
        already=outcome is lifecycle.ConfirmOutcome.already_confirmed,
        # only right after confirming: an old link that a scanner replays gets no key to the
        # reader's details
        preferences_token=signer().dumps(Purpose.preferences, public_id)
        if outcome is lifecycle.ConfirmOutcome.confirmed
        else None,
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
        lambda form: render_template("site/link_problem.html", expired=True, form=form),
    )


def _subscriber_or_404(purpose: Purpose, token: str, max_age: int | None = None):
    try:
        public_id = signer().load_str(purpose, token, max_age)
        return lifecycle.get_by_public_id(public_id)
    except TokenExpired:
        raise
    except (TokenInvalid, lifecycle.UnknownSubscriber):
        abort(404, description="link")


def _preferences_expired(form: ResendForm | None = None) -> tuple[str, int]:
    days = _settings().preferences_link_days
    page = render_template("site/preferences_expired.html", form=form or ResendForm(), days=days)
    return page, 410


def new_preferences_link() -> str | Response | tuple[str, int]:
    """A fresh preferences link by mail; the same answer whether or not the address is known."""
    return _link_by_mail(lifecycle.LinkKind.preferences, lambda form: _preferences_expired(form)[0])


def preferences(token: str) -> str | tuple[str, int]:
    try:
        subscriber = _subscriber_or_404(
            Purpose.preferences, token, _settings().preferences_link_days * 86400
        )
    except TokenExpired:
        return _preferences_expired()
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
    if request.method == "POST" and request.form.get("actie") == "weer-aanmelden":
        lifecycle.resubscribe(subscriber.public_id)
        return redirect(url_for("subscribers.preferences", token=token, terug="ja"), code=303)
    if subscriber.state == SubscriberState.unsubscribed and request.method == "POST":
        abort(409)  # the fields are not shown to someone who unsubscribed
    if form.validate_on_submit():
        gemeente = find_gemeente(form.gemeente.data)
        assert gemeente is not None
        lifecycle.change_preferences(
            subscriber.public_id,
            lifecycle.ProfileChange(form.name.data, gemeente.code, Role(form.role.data)),
        )
        saved = True
    unsubscribe_token = signer().dumps(Purpose.unsubscribe, subscriber.public_id)
    return render_template(
        "site/preferences.html",
        form=form,
        options=_options(),
        saved=saved,
        back=request.args.get("terug") == "ja",
        subscriber=subscriber,
        token=token,
        address_form=AddressForm(prefix="adres"),
        pending_masked=masked(subscriber.pending_email) if subscriber.pending_email else "",
        masked_email=masked(subscriber.email),
        unsubscribe_token=unsubscribe_token,
    ), (422 if form.errors else 200)


@csrf.exempt
def unsubscribe(token: str) -> str | tuple[str, int, dict[str, str]]:
    subscriber = _subscriber_or_404(Purpose.unsubscribe, token)
    if request.method == "POST" and request.form.get("List-Unsubscribe") == "One-Click":
        # RFC 8058: a mail client posts without cookies or CSRF token; answer 200, no redirect.
        lifecycle.unsubscribe(subscriber.public_id, ConsentSource.one_click)
        return "U bent afgemeld voor OVER het ravijn.\n", 200, {"Content-Type": "text/plain"}
    form = ConfirmForm()
    # an unsubscribe link never expires and may sit in a forwarded mail: it opens no other
    # door; the way back is an undo for half an hour, or a new sign-up
    if request.method == "POST":
        csrf.protect()
        lifecycle.unsubscribe(subscriber.public_id, ConsentSource.preferences_page)
        return render_template("site/unsubscribed.html", token=token, form=ConfirmForm())
    if subscriber.state == SubscriberState.unsubscribed:
        return render_template("site/unsubscribed.html", token=token, form=ConfirmForm())
    return render_template("site/unsubscribe.html", form=form)


def come_back(token: str) -> str | tuple[str, int]:
    """'Toch weer aanmelden' on the page right after unsubscribing (an undo, half an hour)."""
    subscriber = _subscriber_or_404(Purpose.unsubscribe, token)
    if lifecycle.resubscribe(subscriber.public_id, undo=True):
        return render_template("site/resubscribed.html")
    return render_template("site/unsubscribed.html", token=None, form=None, too_late=True), 409
