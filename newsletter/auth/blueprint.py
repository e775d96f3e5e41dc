"""/beheer/inloggen and /beheer/uitloggen."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from newsletter.auth import views
from newsletter.extensions import limiter

bp = Blueprint("auth", __name__, url_prefix="/beheer")

bp.add_url_rule(
    "/inloggen",
    "login",
    limiter.limit("10 per minute;50 per hour", methods=["POST"])(views.login),
    methods=["GET", "POST"],
)
bp.add_url_rule("/uitloggen", "logout", login_required(views.logout), methods=["POST"])
