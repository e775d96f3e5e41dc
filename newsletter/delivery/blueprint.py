"""/beheer/edities/<id>/…: publishing and following a send; /beheer/verzendingen: every send's
figures. Every view needs an editor."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from newsletter.auth.roles import BEHEERDER, EINDREDACTEUR, requires
from newsletter.delivery import views

bp = Blueprint("delivery", __name__, url_prefix="/beheer")

bp.add_url_rule("/verzendingen", "overview", login_required(views.overview))
bp.add_url_rule(
    "/edities/<int:edition_id>/ontvangers", "recipients", requires(BEHEERDER)(views.recipients)
)

bp.add_url_rule(
    "/edities/<int:edition_id>/versturen",
    "confirm",
    requires(EINDREDACTEUR)(views.confirm),
    methods=["GET", "POST"],
)
bp.add_url_rule("/edities/<int:edition_id>/verzending", "sending", login_required(views.sending))
bp.add_url_rule("/edities/<int:edition_id>/verzending.json", "status", login_required(views.status))
for name, view in (
    ("pauzeren", views.pause),
    ("hervatten", views.resume),
    ("annuleren", views.cancel),
):
    bp.add_url_rule(
        f"/edities/<int:edition_id>/{name}",
        view.__name__,
        requires(EINDREDACTEUR)(view),
        methods=["POST"],
    )
