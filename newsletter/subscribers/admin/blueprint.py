"""/beheer/lezers: who the newsletter reaches, and the readers' rights. Editors only."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from newsletter.auth.roles import BEHEERDER, requires
from newsletter.subscribers.admin import subscriber_views, views

bp = Blueprint("subscriber_admin", __name__, url_prefix="/beheer/lezers")

bp.add_url_rule("/", "dashboard", login_required(views.dashboard))
bp.add_url_rule("/lezers.csv", "export_csv", requires(BEHEERDER)(views.export_csv))
bp.add_url_rule("/voorbeeld.csv", "example_csv", requires(BEHEERDER)(views.example_csv))
bp.add_url_rule("/inzage", "person", requires(BEHEERDER)(views.person), methods=["POST"])
bp.add_url_rule("/wissen", "erase", requires(BEHEERDER)(views.erase), methods=["POST"])
bp.add_url_rule(
    "/importeren",
    "import_upload",
    requires(BEHEERDER)(views.import_upload),
    methods=["GET", "POST"],
)
bp.add_url_rule("/importeren/<int:job_id>", "import_job", requires(BEHEERDER)(views.import_job))
bp.add_url_rule(
    "/importeren/<int:job_id>.json", "import_status", requires(BEHEERDER)(views.import_status)
)
bp.add_url_rule("/zoeken", "search", requires(BEHEERDER)(subscriber_views.search))
bp.add_url_rule(
    "/<int:subscriber_id>",
    "subscriber",
    requires(BEHEERDER)(subscriber_views.subscriber),
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/<int:subscriber_id>/inzage.json",
    "subscriber_json",
    requires(BEHEERDER)(subscriber_views.subscriber_json),
)
