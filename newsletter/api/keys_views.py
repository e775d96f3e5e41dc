"""Thin views of /beheer/api-sleutels: beheerders list the API keys, make one (its secret is
shown once, in the answer to the form, and kept nowhere) and revoke one. `keys` does the work
and the audit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from werkzeug.wrappers import Response

from newsletter.api import keys
from newsletter.api.forms import NewKeyForm
from newsletter.api.models import ApiKey
from newsletter.auth.audit import current_actor
from newsletter.auth.roles import BEHEERDER, requires
from newsletter.database import utcnow
from newsletter.extensions import db
from newsletter.forms import ActionForm

bp = Blueprint("api_keys", __name__, url_prefix="/beheer/api-sleutels")


def _page(form: NewKeyForm, status: int = 200) -> tuple[str, int]:
    listed = keys.all_keys()
    return render_template(
        "beheer/api_keys.html",
        keys=listed,
        makers=keys.makers(listed),
        form=form,
        scopes=keys.SCOPES,
        max_days=keys.MAX_DAYS,
        now=utcnow(),
    ), status


def index() -> tuple[str, int]:
    return _page(NewKeyForm(prefix="nieuw"))


def create() -> Response | tuple[str, int]:
    form = NewKeyForm(prefix="nieuw")
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        made = keys.create(form.name.data, form.scopes.data, form.days.data, current_actor())
    except keys.KeyRefused as exc:
        db.session.rollback()
        form.refuse(str(exc))
        return _page(form, 422)
    # the one and only time the secret leaves the server: in this answer, never cached
    response = make_response(
        render_template(
            "beheer/api_key_made.html",
            key=made.key,
            secret=made.secret,
            scopes=keys.SCOPES,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def confirm_revoke(key_id: int) -> Response | str:
    key = db.get_or_404(ApiKey, key_id)
    if key.revoked_at is not None:
        flash(f"De sleutel ‘{key.name}’ is al ingetrokken.")
        return redirect(url_for("api_keys.index"), code=303)
    return render_template(
        "beheer/api_key_revoke.html", key=key, form=ActionForm(), scopes=keys.SCOPES
    )


def revoke(key_id: int) -> Response:
    key = db.get_or_404(ApiKey, key_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if keys.revoke(key.id, current_actor()):
        flash(f"De sleutel ‘{key.name}’ is ingetrokken. De API weigert hem vanaf nu.")
    else:
        flash(f"De sleutel ‘{key.name}’ was al ingetrokken.")
    return redirect(url_for("api_keys.index"), code=303)


bp.add_url_rule("/", "index", requires(BEHEERDER)(index))
bp.add_url_rule("/", "create", requires(BEHEERDER)(create), methods=["POST"])
bp.add_url_rule("/<int:key_id>/intrekken", "confirm_revoke", requires(BEHEERDER)(confirm_revoke))
bp.add_url_rule("/<int:key_id>/intrekken", "revoke", requires(BEHEERDER)(revoke), methods=["POST"])
