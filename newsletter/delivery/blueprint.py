"""/beheer/edities/<id>/…: publishing and following a send. Every view needs an editor."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from newsletter.delivery import views

bp = Blueprint("delivery", __name__, url_prefix="/beheer/edities/<int:edition_id>")

bp.add_url_rule("/versturen", "confirm", login_required(views.confirm), methods=["GET", "POST"])
bp.add_url_rule("/verzending", "sending", login_required(views.sending))
bp.add_url_rule("/verzending.json", "status", login_required(views.status))
for name, view in (
    ("pauzeren", views.pause),
    ("hervatten", views.resume),
    ("annuleren", views.cancel),
):
    bp.add_url_rule(f"/{name}", view.__name__, login_required(view), methods=["POST"])
