"""Security headers on every response.

Links carry tokens, so no Referer leaves the site; same-origin still lets CSRF check https posts.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import current_app, request
from flask_login import current_user
from werkzeug.wrappers import Response

CSP = (
    "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; "
    "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)


#: A mail shown as a page (the editor's preview): its own inline styles, nothing runs.
MAIL_PAGE_CSP = (
    "default-src 'none'; img-src https: data: 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


#: bodies larger than BODY_MAX, for logged-in editors with the role only: images, CSV files,
#: edition sources (role names as in auth/roles.py)
LARGE_BODIES = {
    "editions.upload": (6 * 1024 * 1024, "redacteur"),
    "subscriber_admin.import_upload": (8 * 1024 * 1024, "beheerder"),
    "editions.new": (1024 * 1024, "redacteur"),
    "editions.edit": (1024 * 1024, "redacteur"),
}


def allow_large_bodies() -> None:
    """Before anything reads the form (CSRF does, first): raise the limit where it is needed.

    Everywhere else a body over BODY_MAX is refused from its Content-Length alone (413) before
    a byte of it is parsed, so one large or many-field post cannot tie up a worker."""
    found = LARGE_BODIES.get(request.endpoint or "")
    if found and current_user.is_authenticated and current_user.has_role(found[1]):
        request.max_content_length = found[0]
        request.max_form_memory_size = found[0]


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault(
        "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    )
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config["SETTINGS"].base_url.startswith("https://"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if (request.view_args and "token" in request.view_args) or request.path.startswith(
        ("/beheer", "/dev/")
    ):  # personal links and the admin: never kept by a browser or proxy cache
        headers["Cache-Control"] = "no-store"
    return response


def closed_without_redis(view: Callable[..., Any]) -> Callable[..., Any]:
    """Rate limits let requests through while Redis is away (leaving must always work). Where a
    guess costs us (a password, a login code) the door stays shut instead: a POST asks Redis
    first, and without it the 503 page answers (errors.py)."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if request.method == "POST":
            current_app.extensions["redis"].ping()
        return view(*args, **kwargs)

    return guarded
