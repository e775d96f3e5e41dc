"""/beheer/lezers: who the newsletter reaches, and the readers' rights. Editors only."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from newsletter.auth.roles import BEHEERDER, GET_POST, POST, add_routes, requires
from newsletter.subscribers.admin import subscriber_views, views

bp = Blueprint("subscriber_admin", __name__, url_prefix="/beheer/lezers")
beheerder = requires(BEHEERDER)
IMPORT = "/importeren/<int:job_id>"
SUBSCRIBER = "/<int:subscriber_id>"

add_routes(bp, [
    ("/", "dashboard", login_required(views.dashboard)),
    ("/lezers.csv", "export_csv", beheerder(views.export_csv)),
    ("/voorbeeld.csv", "example_csv", beheerder(views.example_csv)),
    ("/inzage", "person", beheerder(views.person), POST),
    ("/wissen", "erase", beheerder(views.erase), POST),
    ("/importeren", "import_upload", beheerder(views.import_upload), GET_POST),
    (IMPORT, "import_job", beheerder(views.import_job)),
    (f"{IMPORT}.json", "import_status", beheerder(views.import_status)),
    ("/zoeken", "search", beheerder(subscriber_views.search)),
    (SUBSCRIBER, "subscriber", beheerder(subscriber_views.subscriber), GET_POST),
    (f"{SUBSCRIBER}/inzage.json", "subscriber_json", beheerder(subscriber_views.subscriber_json)),
])  # fmt: skip
