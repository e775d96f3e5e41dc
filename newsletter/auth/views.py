"""Thin views: log in (password, then the second factor), enrol the second factor, log out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from newsletter.auth import accounts, second_factor, sessions
from newsletter.auth import enrolment as enrolments
from newsletter.auth.audit import Actor
from newsletter.auth.forms import CodeForm, LoginForm
from newsletter.auth.models import Editor
from newsletter.auth.sso import signout
from newsletter.auth.sso.login import password_allowed
from newsletter.forms import ActionForm

Page = str | Response | tuple[str, int]


def _target(raw: str) -> str:
    """Only a path inside /beheer: a `next` pointing elsewhere is ignored (no open redirect)."""
    parts = urlsplit(raw)
    if not raw.startswith("/beheer") or parts.netloc or parts.scheme:
        return url_for("editions.index")
    return raw


def login() -> Page:
    form = LoginForm()
    settings = current_app.config["SETTINGS"]
    if form.validate_on_submit():
        if password_allowed(form.email.data, settings.sso, settings.is_production):
            return _password_login(form)
        accounts.refused_password(form.email.data)
        form.email.errors = ["Log in met je VNG-account. Met een wachtwoord kan dat hier niet."]
    return _login_page(form)


def _password_login(form: LoginForm) -> Page:
    editor = accounts.authenticate(form.email.data, form.password.data)
    if editor is not None:
        target = _target(request.args.get("next", ""))
        if editor.has_second_factor or current_app.config["SETTINGS"].require_second_factor:
            sessions.begin(editor, target)
            step = "auth.code" if editor.has_second_factor else "auth.enrol"
            return redirect(url_for(step), code=303)
        sessions.start(editor)
        return redirect(target, code=303)
    form.password.errors = ["Dit e-mailadres en wachtwoord horen niet bij elkaar."]
    return _login_page(form)


def _login_page(form: LoginForm) -> Page:
    settings = current_app.config["SETTINGS"]
    return render_template(
        "beheer/login.html",
        form=form,
        sso=settings.sso is not None,
        password_only_break_glass=settings.sso is not None and settings.is_production,
    ), (422 if form.errors else 200)


def code() -> Page:
    """Step two of logging in: a code from the app (or a recovery code)."""
    editor = sessions.pending_editor()
    if editor is None:
        flash("Log opnieuw in.")
        return redirect(url_for("auth.login"), code=303)
    if not editor.has_second_factor:
        return redirect(url_for("auth.enrol"), code=303)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            second_factor.verify(editor, form.code.data)
        except second_factor.CodeError as exc:
            form.code.errors = [str(exc)]
        else:
            target = sessions.pending_target()
            sessions.start(editor)
            return redirect(_target(target), code=303)
    return render_template("beheer/login_code.html", form=form), (422 if form.errors else 200)


def _enrolling_editor() -> tuple[Editor | None, bool]:
    """(editor, half-way through logging in?) for the enrolment page."""
    pending = sessions.pending_editor()
    if pending is not None:
        return pending, True
    if current_user.is_authenticated:
        return current_user._get_current_object(), False  # type: ignore[attr-defined]
    return None, False


def enrol() -> Page:
    """Scan the QR code (or type the secret), prove it with one code, get recovery codes."""
    editor, logging_in = _enrolling_editor()
    if editor is None:
        return redirect(url_for("auth.login"), code=303)
    if editor.has_second_factor:
        if logging_in:
            return redirect(url_for("auth.code"), code=303)
        left = second_factor.recovery_codes_left(editor)
        return render_template("beheer/second_factor.html", enrolment=None, left=left, form=None)
    key, secret = enrolments.secret_for(editor, session.get("enrol_key"))
    session["enrol_key"] = key  # a random key: the secret itself stays in the database
    enrolment = second_factor.new_enrolment(editor, secret)
    form = CodeForm()
    form.code.description = "De zes cijfers die de app nu laat zien."
    if form.validate_on_submit():
        try:
            codes = second_factor.enrol(
                editor, secret, form.code.data, Actor(editor.email, editor.id)
            )
        except second_factor.CodeError as exc:
            form.code.errors = [str(exc)]
        else:
            session.pop("enrol_key", None)
            target = url_for("editions.index")
            if logging_in:
                target = _target(sessions.pending_target())
                sessions.start(editor)
            return render_template("beheer/recovery_codes.html", codes=codes, target=target)
    return render_template(
        "beheer/second_factor.html", enrolment=enrolment, form=form, logging_in=logging_in
    ), (422 if form.errors else 200)


def logout() -> Response:
    """Ends the session here; after a login through the provider, its session there too."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("auth.login"), code=303)
    tracked, sso = session.get("sso"), current_app.config["SETTINGS"].sso
    sessions.stop(current_user._get_current_object())  # type: ignore[attr-defined]
    if not isinstance(tracked, int) or sso is None:
        flash("Je bent uitgelogd.")
        return redirect(url_for("auth.login"), code=303)
    try:
        there = signout.end_session_url(sso, tracked)
    except signout.ProviderUnreachable:
        flash(
            "Je bent hier uitgelogd. De inlogdienst van VNG antwoordt nu niet, dus daar ben je "
            "misschien nog ingelogd. Gebruiken anderen deze computer ook? Sluit dan je browser."
        )
        return redirect(url_for("auth.login"), code=303)
    flash("Je bent uitgelogd.")
    return redirect(there or url_for("auth.login"), code=303)
