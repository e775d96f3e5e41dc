"""/beheer/inloggen (password, then the code), /beheer/tweestaps, the password pages,
/beheer/logboek (everyone's actions for beheerders, one's own for the others), and
/beheer/redacteuren for beheerders."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from newsletter.auth import logbook_views, manage_views, password_views, views
from newsletter.auth.roles import BEHEERDER, requires
from newsletter.auth.sso import views as sso_views
from newsletter.extensions import limiter
from newsletter.security import closed_without_redis

bp = Blueprint("auth", __name__, url_prefix="/beheer")
LOGIN_LIMIT = "10 per minute;50 per hour"
FORGOT_LIMIT = "5 per minute;20 per hour"

bp.add_url_rule(
    "/inloggen",
    "login",
    limiter.limit(LOGIN_LIMIT, methods=["POST"])(closed_without_redis(views.login)),
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/inloggen/code",
    "code",
    limiter.limit(LOGIN_LIMIT, methods=["POST"])(closed_without_redis(views.code)),
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/tweestaps",
    "enrol",
    limiter.limit(LOGIN_LIMIT, methods=["POST"])(closed_without_redis(views.enrol)),
    methods=["GET", "POST"],
)
bp.add_url_rule("/logboek", "logbook", login_required(logbook_views.index))
bp.add_url_rule("/uitloggen", "logout", login_required(views.logout), methods=["POST"])
bp.add_url_rule(
    "/wachtwoord-vergeten",
    "forgot",
    limiter.limit(FORGOT_LIMIT, methods=["POST"])(closed_without_redis(password_views.forgot)),
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/wachtwoord/<token>",
    "new_password",
    limiter.limit(LOGIN_LIMIT, methods=["POST"])(closed_without_redis(password_views.new_password)),
    methods=["GET", "POST"],
)

# an office behind one address logs in through SSO in the morning rush: laxer than passwords
SSO_LIMIT = "30 per minute;300 per hour"
bp.add_url_rule("/sso/inloggen", "sso_start", limiter.limit(SSO_LIMIT)(sso_views.start))
bp.add_url_rule("/sso/terug", "sso_callback", limiter.limit(SSO_LIMIT)(sso_views.callback))
bp.add_url_rule(
    "/sso/uitgelogd",
    "sso_logout",
    # a token with an unknown key id makes us fetch the provider's keys: not for anyone at will
    limiter.limit("60 per minute")(sso_views.backchannel_logout),
    methods=["POST"],
)

editors_bp = Blueprint("editors", __name__, url_prefix="/beheer/redacteuren")
editors_bp.add_url_rule("/", "index", requires(BEHEERDER)(manage_views.index))
editors_bp.add_url_rule("/", "create", requires(BEHEERDER)(manage_views.create), methods=["POST"])
editors_bp.add_url_rule(
    "/<int:editor_id>/rollen",
    "set_roles",
    requires(BEHEERDER)(manage_views.set_roles),
    methods=["POST"],
)
editors_bp.add_url_rule(
    "/<int:editor_id>/actie", "act", requires(BEHEERDER)(manage_views.act), methods=["POST"]
)
