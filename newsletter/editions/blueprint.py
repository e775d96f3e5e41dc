"""/beheer: the editor's workspace, and /media for the images it uploads."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from newsletter.auth.roles import EINDREDACTEUR, REDACTEUR, requires
from newsletter.editions import action_views, media_views, test_address_views, views
from newsletter.extensions import limiter

bp = Blueprint("editions", __name__, url_prefix="/beheer")
EDITION = "/edities/<int:edition_id>"

bp.add_url_rule("/", "index", login_required(views.index))
bp.add_url_rule("/edities/nieuw", "new", requires(REDACTEUR)(views.new), methods=["GET", "POST"])
bp.add_url_rule(EDITION, "edit", requires(REDACTEUR)(views.edit), methods=["GET", "POST"])
bp.add_url_rule(f"{EDITION}/voorbeeld", "preview", login_required(views.preview))
bp.add_url_rule("/doelgroep", "audience_count", requires(REDACTEUR)(views.audience_count))

for rule, endpoint, view, role, methods in (
    ("test", "test_send", action_views.test_send, REDACTEUR, ["POST"]),
    ("goedkeuring-vragen", "ask_approval", action_views.ask_approval, REDACTEUR, ["POST"]),
    ("kopie", "duplicate", action_views.duplicate, REDACTEUR, ["POST"]),
    ("verwijderen", "delete", action_views.delete, REDACTEUR, ["GET", "POST"]),
    ("goedkeuren", "approve", action_views.approve, EINDREDACTEUR, ["POST"]),
    ("inplannen", "schedule", action_views.schedule, EINDREDACTEUR, ["POST"]),
    ("concept", "unschedule", action_views.unschedule, EINDREDACTEUR, ["POST"]),
):
    bp.add_url_rule(f"{EDITION}/{rule}", endpoint, requires(role)(view), methods=methods)

bp.add_url_rule(
    "/testadressen",
    "test_addresses",
    requires(REDACTEUR)(test_address_views.index),
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/testadressen/<int:address_id>/verwijderen",
    "remove_test_address",
    requires(REDACTEUR)(test_address_views.remove),
    methods=["POST"],
)
# the link in the mail to the test address: no login (it may be a colleague's mailbox)
bp.add_url_rule(
    "/testadres/<token>",
    "confirm_test_address",
    limiter.limit("10 per minute", methods=["POST"])(test_address_views.confirm),
    methods=["GET", "POST"],
)

bp.add_url_rule(
    "/afbeeldingen",
    "upload",
    requires(REDACTEUR)(limiter.limit("30 per minute")(media_views.upload)),
    methods=["POST"],
)

# uploaded images, used in mail: public, content-addressed
media_bp = Blueprint("media", __name__)
media_bp.add_url_rule("/media/<name>", "show", media_views.serve_media)
