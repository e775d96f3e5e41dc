"""Thin views: ask for a password link, and set a new password with it."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from newsletter.auth import accounts, passwords
from newsletter.auth.forms import ForgotForm, NewPasswordForm

Page = str | Response | tuple[str, int]


def forgot() -> Page:
    """The same answer, and the same work, whether or not the address belongs to an editor."""
    form = ForgotForm()
    if form.validate_on_submit():
        passwords.submit_request(form.email.data)
        return render_template("beheer/password_sent.html", email=form.email.data.strip())
    return render_template("beheer/forgot.html", form=form), (422 if form.errors else 200)


def new_password(token: str) -> Page:
    try:
        editor = passwords.editor_for(token)
    except passwords.LinkError as exc:
        return render_template("beheer/forgot.html", form=ForgotForm(), problem=str(exc)), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            passwords.set_password(token, form.password.data)
        except passwords.LinkError as exc:
            return render_template("beheer/forgot.html", form=ForgotForm(), problem=str(exc)), 410
        except accounts.AccountError as exc:
            form.password.errors = [str(exc)]
        else:
            flash("Je nieuwe wachtwoord is opgeslagen. Log hieronder in.")
            return redirect(url_for("auth.login"), code=303)
    return render_template("beheer/new_password.html", form=form, editor=editor), (
        422 if form.errors else 200
    )
