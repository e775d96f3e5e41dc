"""/beheer: the editor's workspace, and /media for the images it uploads."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from newsletter.editions import views
from newsletter.extensions import limiter

bp = Blueprint("editions", __name__, url_prefix="/beheer")

bp.add_url_rule("/", "index", login_required(views.index))
bp.add_url_rule("/edities/nieuw", "new", login_required(views.new), methods=["GET", "POST"])
bp.add_url_rule(
    "/edities/<int:edition_id>", "edit", login_required(views.edit), methods=["GET", "POST"]
)
bp.add_url_rule("/edities/<int:edition_id>/voorbeeld", "preview", login_required(views.preview))
bp.add_url_rule(
    "/edities/<int:edition_id>/test", "test_send", login_required(views.test_send), methods=["POST"]
)
bp.add_url_rule(
    "/edities/<int:edition_id>/inplannen",
    "schedule",
    login_required(views.schedule),
    methods=["POST"],
)
bp.add_url_rule(
    "/edities/<int:edition_id>/concept",
    "unschedule",
    login_required(views.unschedule),
    methods=["POST"],
)
bp.add_url_rule(
    "/afbeeldingen",
    "upload",
    login_required(limiter.limit("30 per minute")(views.upload)),
    methods=["POST"],
)

# uploaded images, used in mail: public, content-addressed
media_bp = Blueprint("media", __name__)
media_bp.add_url_rule("/media/<name>", "show", views.serve_media)
