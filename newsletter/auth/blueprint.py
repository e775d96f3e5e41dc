"""/beheer/inloggen (password, then the code), /beheer/tweestaps, the password pages,
/beheer/logboek (everyone's actions for beheerders, one's own for the others), and
/beheer/redacteuren for beheerders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint
from flask_login import login_required

from newsletter.auth import logbook_views, manage_views, password_views, views
from newsletter.auth.roles import BEHEERDER, GET_POST, POST, add_routes, requires
from newsletter.auth.sso import views as sso_views
from newsletter.extensions import limiter
from newsletter.security import closed_without_redis

bp = Blueprint("auth", __name__, url_prefix="/beheer")
LOGIN_LIMIT = "10 per minute;50 per hour"
FORGOT_LIMIT = "5 per minute;20 per hour"
# an office behind one address logs in through SSO in the morning rush: laxer than passwords
SSO_LIMIT = "30 per minute;300 per hour"


def _step(limit: str, view: Callable[..., Any]) -> Callable[..., Any]:
    """A step of logging in: its POSTs limited, and closed while Redis (the sessions) is down."""
    return limiter.limit(limit, methods=["POST"])(closed_without_redis(view))


add_routes(bp, [
    ("/inloggen", "login", _step(LOGIN_LIMIT, views.login), GET_POST),
    ("/inloggen/code", "code", _step(LOGIN_LIMIT, views.code), GET_POST),
    ("/tweestaps", "enrol", _step(LOGIN_LIMIT, views.enrol), GET_POST),
    ("/logboek", "logbook", login_required(logbook_views.index)),
    ("/uitloggen", "logout", login_required(views.logout), POST),
    ("/wachtwoord-vergeten", "forgot", _step(FORGOT_LIMIT, password_views.forgot), GET_POST),
    ("/wachtwoord/<token>", "new_password", _step(LOGIN_LIMIT, password_views.new_password),
     GET_POST),
    ("/sso/inloggen", "sso_start", limiter.limit(SSO_LIMIT)(sso_views.start)),
    ("/sso/terug", "sso_callback", limiter.limit(SSO_LIMIT)(sso_views.callback)),
    # a token with an unknown key id makes us fetch the provider's keys: not for anyone at will
    ("/sso/uitgelogd", "sso_logout", limiter.limit("60 per minute")(sso_views.backchannel_logout),
     POST),
])  # fmt: skip

editors_bp = Blueprint("editors", __name__, url_prefix="/beheer/redacteuren")
beheerder = requires(BEHEERDER)
add_routes(editors_bp, [
    ("/", "index", beheerder(manage_views.index)),
    ("/", "create", beheerder(manage_views.create), POST),
    ("/<int:editor_id>/rollen", "set_roles", beheerder(manage_views.set_roles), POST),
    ("/<int:editor_id>/actie", "act", beheerder(manage_views.act), POST),
])  # fmt: skip
