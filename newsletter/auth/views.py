"""Thin views: log in and out of /beheer."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from newsletter.auth import accounts, sessions
from newsletter.auth.forms import LoginForm
from newsletter.forms import ActionForm


def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    if form.validate_on_submit():
        editor = accounts.authenticate(form.email.data, form.password.data)
        if editor is not None:
            sessions.start(editor)
            target = request.args.get("next", "")
            parts = urlsplit(target)
            if not target.startswith("/beheer") or parts.netloc or parts.scheme:
                target = url_for("editions.index")
            return redirect(target, code=303)
        form.password.errors = ["Dit e-mailadres en wachtwoord horen niet bij elkaar."]
    return render_template("beheer/login.html", form=form), (422 if form.errors else 200)


def logout() -> Response:
    if ActionForm().validate_on_submit():
        sessions.stop(current_user._get_current_object())  # type: ignore[attr-defined]
    return redirect(url_for("auth.login"), code=303)
