"""/dev/outbox: read the mails the local sink caught. Registered only in development
(`make run`): it shows password and preferences links to anyone, without a login."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, render_template
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from newsletter.dev import outbox

bp = Blueprint("dev", __name__, url_prefix="/dev")

URL = re.compile(r"https?://[^\s<>\"']+")


def _dir():
    directory = current_app.config["SETTINGS"].outbox_dir
    if directory is None:
        abort(404)
    return directory


def linkify(text: str) -> Markup:
    escaped = str(escape(text))
    linked = URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
    return Markup(linked)  # noqa: S704 - escaped above; the URL pattern excludes quotes


@bp.get("/outbox")
def index() -> str:
    return render_template("site/dev_outbox.html", mails=outbox.list_mails(_dir()))


@bp.get("/outbox/<name>")
def show(name: str) -> str:
    mail = outbox.get_mail(_dir(), name)
    if mail is None:
        abort(404)
    return render_template("site/dev_mail.html", mail=mail, text_html=linkify(mail.text))


@bp.get("/outbox/<name>/html")
def html(name: str) -> Response:
    mail = outbox.get_mail(_dir(), name)
    if mail is None or mail.html is None:
        abort(404)
    response = Response(mail.html, mimetype="text/html")
    # shown in a sandboxed frame: the mail's own styles, no scripts, links open on top
    response.headers["Content-Security-Policy"] = (
        "sandbox allow-popups allow-top-navigation-by-user-activation; default-src 'none'; "
        "img-src * data:; style-src 'unsafe-inline'"
    )
    return response
