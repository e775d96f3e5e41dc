"""/beheer: the editor's workspace, and /media for the images it uploads."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from newsletter.auth.roles import EINDREDACTEUR, REDACTEUR, requires
from newsletter.editions import views
from newsletter.extensions import limiter

bp = Blueprint("editions", __name__, url_prefix="/beheer")

bp.add_url_rule("/", "index", login_required(views.index))
bp.add_url_rule("/edities/nieuw", "new", requires(REDACTEUR)(views.new), methods=["GET", "POST"])
bp.add_url_rule(
    "/edities/<int:edition_id>", "edit", requires(REDACTEUR)(views.edit), methods=["GET", "POST"]
)
bp.add_url_rule("/edities/<int:edition_id>/voorbeeld", "preview", login_required(views.preview))
bp.add_url_rule(
    "/edities/<int:edition_id>/test",
    "test_send",
    requires(REDACTEUR)(views.test_send),
    methods=["POST"],
)
bp.add_url_rule(
    "/edities/<int:edition_id>/inplannen",
    "schedule",
    requires(EINDREDACTEUR)(views.schedule),
    methods=["POST"],
)
bp.add_url_rule(
    "/edities/<int:edition_id>/concept",
    "unschedule",
    requires(EINDREDACTEUR)(views.unschedule),
    methods=["POST"],
)
bp.add_url_rule(
    "/edities/<int:edition_id>/goedkeuren",
    "approve",
    requires(EINDREDACTEUR)(views.approve),
    methods=["POST"],
)
bp.add_url_rule(
    "/edities/<int:edition_id>/goedkeuring-vragen",
    "ask_approval",
    requires(REDACTEUR)(views.ask_approval),
    methods=["POST"],
)
bp.add_url_rule(
    "/afbeeldingen",
    "upload",
    requires(REDACTEUR)(limiter.limit("30 per minute")(views.upload)),
    methods=["POST"],
)

# uploaded images, used in mail: public, content-addressed
media_bp = Blueprint("media", __name__)
media_bp.add_url_rule("/media/<name>", "show", views.serve_media)
