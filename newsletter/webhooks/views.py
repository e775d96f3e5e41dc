"""Thin views of /beheer/webhooks: beheerders add receivers, see their last status, switch them
off and on, and remove them. The signing secret is shown once, on the page after adding."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from newsletter.auth.audit import current_actor
from newsletter.auth.roles import BEHEERDER, requires
from newsletter.extensions import db
from newsletter.forms import ActionForm
from newsletter.webhooks import services
from newsletter.webhooks.forms import WebhookForm
from newsletter.webhooks.models import Webhook

bp = Blueprint("webhooks", __name__, url_prefix="/beheer/webhooks")


def _page(form: WebhookForm, status: int = 200, secret: str = "") -> tuple[str, int]:
    return render_template(
        "beheer/webhooks.html", hooks=services.overview(), form=form, action=ActionForm(),
        secret=secret,
    ), status  # fmt: skip


@bp.get("/")
@requires(BEHEERDER)
def index() -> tuple[str, int]:
    return _page(WebhookForm())


@bp.post("/")
@requires(BEHEERDER)
def create() -> Response | tuple[str, int]:
    form = WebhookForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        made = services.register(form.url.data, form.events.data, current_actor())
    except services.WebhookRefused as exc:
        form.url.errors = [str(exc)]
        return _page(form, 422)
    body, status = _page(WebhookForm(formdata=None), 201, made.secret)
    response = Response(body, status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"  # the secret is on this page only
    return response


@bp.post("/<int:hook_id>")
@requires(BEHEERDER)
def act(hook_id: int) -> Response | str:
    hook = db.get_or_404(Webhook, hook_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    choice = request.form.get("actie")
    if choice == "aan":
        services.switch(hook, True, current_actor())
        flash("De webhook staat weer aan. Nieuwe gebeurtenissen gaan er weer heen.")
    elif choice == "uit":
        services.switch(hook, False, current_actor())
        flash("De webhook staat uit.")
    elif choice == "verwijderen" and request.form.get("bevestigd") != "ja":
        return render_template("beheer/webhook_remove.html", hook=hook, action=ActionForm())
    elif choice == "verwijderen":
        services.remove(hook, current_actor())
        flash("De webhook is verwijderd.")
    else:
        abort(400)
    return redirect(url_for("webhooks.index"))
