"""/beheer: the editor's workspace, and /media for the images it uploads."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from newsletter.auth.roles import EINDREDACTEUR, GET_POST, POST, REDACTEUR, add_routes, requires
from newsletter.editions import action_views, media_views, test_address_views, views
from newsletter.extensions import limiter

bp = Blueprint("editions", __name__, url_prefix="/beheer")
EDITION = "/edities/<int:edition_id>"
redacteur, eindredacteur = requires(REDACTEUR), requires(EINDREDACTEUR)
#: the link in the mail to a test address needs no login (it may be a colleague's mailbox)
confirm_test_address = limiter.limit("10 per minute", methods=["POST"])(test_address_views.confirm)
upload = redacteur(limiter.limit("30 per minute")(media_views.upload))

add_routes(bp, [
    ("/", "index", login_required(views.index)),
    ("/edities/nieuw", "new", redacteur(views.new), GET_POST),
    (EDITION, "edit", redacteur(views.edit), GET_POST),
    (f"{EDITION}/voorbeeld", "preview", login_required(views.preview)),
    ("/doelgroep", "audience_count", redacteur(views.audience_count)),
    (f"{EDITION}/test", "test_send", redacteur(action_views.test_send), POST),
    (f"{EDITION}/goedkeuring-vragen", "ask_approval", redacteur(action_views.ask_approval), POST),
    (f"{EDITION}/kopie", "duplicate", redacteur(action_views.duplicate), POST),
    (f"{EDITION}/verwijderen", "delete", redacteur(action_views.delete), GET_POST),
    (f"{EDITION}/goedkeuren", "approve", eindredacteur(action_views.approve), POST),
    (f"{EDITION}/inplannen", "schedule", eindredacteur(action_views.schedule), POST),
    (f"{EDITION}/concept", "unschedule", eindredacteur(action_views.unschedule), POST),
    ("/testadressen", "test_addresses", redacteur(test_address_views.index), GET_POST),
    ("/testadressen/<int:address_id>/verwijderen", "remove_test_address",
     redacteur(test_address_views.remove), POST),
    ("/testadres/<token>", "confirm_test_address", confirm_test_address, GET_POST),
    ("/afbeeldingen", "upload", upload, POST),
])  # fmt: skip

# uploaded images, used in mail: public, content-addressed
media_bp = Blueprint("media", __name__)
media_bp.add_url_rule("/media/<name>", "show", media_views.serve_media)
