"""Security headers on every response.

Links carry tokens, so no Referer leaves the site; same-origin still lets CSRF check https posts.
"""

from __future__ import annotations

from flask import current_app, request
from werkzeug.wrappers import Response

CSP = (
    "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; "
    "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)


#: A mail shown as a page (archive, editor preview): its own inline styles, nothing runs.
MAIL_PAGE_CSP = (
    "default-src 'none'; img-src https: data: 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


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
    if request.view_args and "token" in request.view_args:
        headers["Cache-Control"] = "no-store"
    return response
