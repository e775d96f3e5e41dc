"""Every error is a Dutch page with a way forward; never a traceback."""

from __future__ import annotations

import logging
import math
import time
from typing import TypeVar

import redis
from flask import Flask, abort, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from newsletter.accesslog import mask  # a token in a path never reaches a log

log = logging.getLogger(__name__)
T = TypeVar("T")


def or_404(found: T | None) -> T:
    """What a URL names, or the 404 page when there is no such thing."""
    if found is None:
        abort(404)
    return found


MESSAGES = {
    400: ("Dat ging niet goed", "We konden uw verzoek niet verwerken. Probeer het opnieuw."),
    403: (
        "Geen toegang",
        "Uw rol geeft geen toegang tot deze pagina. Vraag een beheerder als u die wel nodig hebt.",
    ),
    404: ("Pagina niet gevonden", "Deze pagina bestaat niet (meer). Controleer het adres."),
    405: (
        "Dat kan hier niet",
        "Deze pagina werkt niet op die manier. Ga terug en probeer het opnieuw.",
    ),
    410: ("Deze link is verlopen", "Vraag een nieuwe link aan."),
    413: (
        "Te groot",
        "Wat u verstuurde is te groot. Probeer het met minder tekst of een kleiner bestand.",
    ),
    429: (
        "Even geduld",
        "Er kwamen te veel verzoeken tegelijk binnen. "
        "Wacht een paar minuten en probeer het opnieuw.",
    ),
    500: ("Er ging iets mis", "Er ging aan onze kant iets mis. Probeer het later opnieuw."),
}
#: the same for editors, who are addressed with "je" (readers get "u")
EDITOR_TEXTS = {
    400: "We konden je verzoek niet verwerken. Probeer het opnieuw.",
    403: (
        "Je rol geeft geen toegang tot deze pagina. Vraag een beheerder als je die wel nodig hebt."
    ),
    413: "Wat je verstuurde is te groot. Probeer het met minder tekst of een kleiner bestand.",
}
EDITOR_PREFIX = "/beheer"

#: under this path errors are problem details (RFC 9457) for programs, not pages
API_PREFIX = "/api/"


def _page(
    code: int, title: str | None = None, text: str | None = None
) -> tuple[ResponseReturnValue, int]:
    default_title, default_text = MESSAGES.get(code, MESSAGES[400])
    if request.path.startswith(EDITOR_PREFIX):
        default_text = EDITOR_TEXTS.get(code, default_text)
    if request.path.startswith(API_PREFIX):
        body = {"type": "about:blank", "title": title or default_title, "status": code}
        response = jsonify(body | {"detail": text or default_text})
        response.status_code, response.mimetype = code, "application/problem+json"
        return response, code
    return render_template(
        "site/error.html", code=code, title=title or default_title, text=text or default_text
    ), code


def _retry_after() -> int:
    """Seconds until the limit that was hit lets a request through again (at least 1)."""
    from newsletter.extensions import limiter

    hit = limiter.current_limit
    if hit is None:
        return 60
    # reset_at is a whole second, on the store's clock: never say more than the window itself
    return max(1, min(math.ceil(hit.reset_at - time.time()), hit.limit.get_expiry()))


def _required_headers(exc: HTTPException) -> dict[str, str]:
    """What RFC 9110 asks of these answers: a 405 names the methods that work (`Allow`), a 429
    says when to try again (`Retry-After`, RFC 6585)."""
    if exc.code == 405:
        return {k: v for k, v in exc.get_headers() if k == "Allow"}
    if exc.code == 429:
        return {"Retry-After": str(_retry_after())}
    return {}


def handle_http(exc: HTTPException) -> ResponseReturnValue:
    code = exc.code or 500
    if code == 404 and exc.description == "link":
        return _page(
            404,
            "Deze link werkt niet",
            "De link is niet compleet of werkt niet meer. Kopieer de hele link uit de e-mail.",
        )
    if code not in MESSAGES:
        code = 400 if code < 500 else 500
    body, status = _page(code)
    return body, status, _required_headers(exc)


def handle_csrf(exc: CSRFError) -> ResponseReturnValue:
    return _page(
        400,
        "Het formulier is verlopen",
        "Uit veiligheid werkt een formulier maar een tijd. Ga terug, laad de pagina opnieuw en "
        "probeer het nog een keer.",
    )


def handle_unexpected(exc: Exception) -> ResponseReturnValue:
    if isinstance(exc, HTTPException):
        return handle_http(exc)
    log.exception("unhandled error on %s %s", request.method, mask(request.path))
    return _page(500)


#: seconds a reader is asked to wait when Redis is away (a failover takes 10 to 30 s)
BUSY_RETRY_AFTER = 60


def handle_redis_down(exc: Exception) -> ResponseReturnValue:
    """Redis away (stopped, failing over, hanging past its socket timeout). Limits let requests
    through then (leaving always works); what needs Redis itself, the sign-up's checks against
    bots and floods, stops here: a clear page, never a 500 (docs/operations.md#redis)."""
    log.warning("redis unavailable on %s %s: %s", request.method, mask(request.path),
                exc.__class__.__name__)  # fmt: skip
    text = (
        "Inloggen lukt op dit moment niet. Wacht een paar minuten en probeer het opnieuw."
        if request.path.startswith("/beheer")
        else "Aanmelden lukt op dit moment niet. Wacht een paar minuten en probeer het opnieuw. "
        "Afmelden werkt wel."
    )
    body, status = _page(503, "Even niet beschikbaar", text)
    return body, status, {"Retry-After": str(BUSY_RETRY_AFTER), "Cache-Control": "no-store"}


def register(app: Flask) -> None:
    app.register_error_handler(redis.ConnectionError, handle_redis_down)
    app.register_error_handler(redis.TimeoutError, handle_redis_down)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
