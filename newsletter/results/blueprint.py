"""/beheer/edities/<id>/resultaten: what an edition achieved, for every editor."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from newsletter.results import views

bp = Blueprint("results", __name__, url_prefix="/beheer")

bp.add_url_rule("/edities/<int:edition_id>/resultaten", "page", login_required(views.page))
bp.add_url_rule("/edities/<int:edition_id>/resultaten.csv", "csv", login_required(views.csv_export))
