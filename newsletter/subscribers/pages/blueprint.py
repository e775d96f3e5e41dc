"""URL rules of the reader's journey (Dutch paths: readers see them)."""

from flask import Blueprint, current_app, request

from newsletter.extensions import limiter
from newsletter.subscribers.pages import address_views, leave_views, manage_views, views

bp = Blueprint("subscribers", __name__)


def _signup_limit() -> str:
    return current_app.config["SETTINGS"].signup_rate_limit


_post_only = {"methods": ["POST"]}
LINK_PAGE_LIMIT = "60 per minute"

bp.add_url_rule("/", "home", views.home)
bp.add_url_rule("/privacy", "privacy", views.privacy)
bp.add_url_rule(
    "/aanmelden",
    "signup",
    limiter.limit(_signup_limit, **_post_only)(views.signup),
    methods=["GET", "POST"],
)
bp.add_url_rule("/aanmelden/kijk-in-uw-mailbox", "check_inbox", views.check_inbox)
bp.add_url_rule(
    "/bevestigen/opnieuw",
    "resend",
    limiter.limit(_signup_limit)(views.resend),
    methods=["POST"],
)
#: the pages behind a link in a mail: (path, endpoint, view, limit, methods)
LINK_PAGES = [
    ("/bevestigen/<token>", "confirm", views.confirm, LINK_PAGE_LIMIT, ["GET", "POST"]),
    ("/voorkeuren/<token>", "preferences", views.preferences, LINK_PAGE_LIMIT, ["GET", "POST"]),
    ("/gegevens/<token>", "manage", manage_views.manage, LINK_PAGE_LIMIT, ["GET", "POST"]),
    ("/gegevens/<token>/adres", "change_address", address_views.change_address, _signup_limit,
     ["POST"]),
    ("/adres/<token>", "confirm_address", address_views.confirm_address, LINK_PAGE_LIMIT,
     ["GET", "POST"]),
]  # fmt: skip
for path, endpoint, view, limit, methods in LINK_PAGES:
    bp.add_url_rule(path, endpoint, limiter.limit(limit)(view), methods=methods)
bp.add_url_rule(
    "/voorkeuren/nieuwe-link",
    "new_preferences_link",
    limiter.limit(_signup_limit)(views.new_preferences_link),
    methods=["POST"],
)


def _one_click() -> bool:
    """An RFC 8058 one-click POST from a mail provider is never refused for rate: providers
    post from few addresses for many readers, and a refused one-click keeps the mail coming."""
    return request.method == "POST" and request.form.get("List-Unsubscribe") == "One-Click"


bp.add_url_rule(
    "/afmelden",
    "leave_by_mail",
    limiter.limit(_signup_limit, **_post_only)(leave_views.leave_by_mail),
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/afmelden/<token>/terug",
    "come_back",
    limiter.limit(LINK_PAGE_LIMIT)(leave_views.come_back),
    methods=["POST"],
)
bp.add_url_rule(
    "/afmelden/<token>",
    "unsubscribe",
    limiter.limit(LINK_PAGE_LIMIT, exempt_when=_one_click)(leave_views.unsubscribe),
    methods=["GET", "POST"],
)
