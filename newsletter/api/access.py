"""Who is calling: a bearer key, never a browser session; its scope; its rate; its trail."""

from __future__ import annotations

from flask import current_app, g, request
from werkzeug.wrappers import Response

from newsletter.api import keys
from newsletter.api.models import ApiKey
from newsletter.api.problems import problem
from newsletter.api.spec import bp, scope_of, takes_body
from newsletter.extensions import csrf, limiter
from newsletter.subscribers import names
from newsletter.subscribers.consent import ip_prefix

OPEN = {"api.openapi", "api.docs"}  # the description is public: it holds no data
RATE = "600 per minute"
#: a draft's Markdown (up to 200,000 characters) is larger than the app's usual limit
LARGE_BODIES = {"api.create_edition": 1024 * 1024}


def _presented() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _key() -> ApiKey | None:
    """The live key presented with this request, looked up once per request (kept in the
    request's own environ: an app context, and so `g`, may outlive one request)."""
    if "ravijn.api_key" not in request.environ:
        request.environ["ravijn.api_key"] = keys.authenticate(_presented())
    return request.environ["ravijn.api_key"]


def _rate_key() -> str:
    """Per live key; a request without one (or with a wrong one) counts against its network,
    so neither guessing nor a known prefix spends a real key's rate."""
    key = _key()
    return f"key:{key.id}" if key else f"net:{ip_prefix(request.remote_addr)}"


def _unreadable_part() -> str | None:
    """A path or query value no database should get (NUL and other control characters)."""
    parts = [("pad", request.path)] + [(name, v) for name, v in request.args.items(multi=True)]
    for name, value in parts:
        if names.unprintable(value) or names.unprintable(name):
            return name
    return None


def _not_json() -> Response | None:
    """An operation that reads a JSON body takes no other kind: 415 (RFC 9110), naming the
    one it takes."""
    if not takes_body(request.endpoint) or request.mimetype == "application/json":
        return None
    response = problem(415, "Stuur de inhoud als JSON, met Content-Type: application/json.")
    response.headers[f"Accept-{request.method.title()}"] = "application/json"
    return response


@bp.before_request
def authenticate() -> Response | None:
    """Who calls comes first (401, 403); only then what they sent (415, 422)."""
    if request.endpoint in OPEN or request.endpoint is None:
        return None
    key = _key()
    if key is None:
        return problem(
            401,
            "Stuur een geldige API-sleutel mee: Authorization: Bearer rvn_… "
            "(een sessie van de beheerpagina's telt hier niet).",
        )
    g.api_key = key
    view = current_app.view_functions.get(request.endpoint)
    needed = scope_of(view) if view else None
    if needed is None:  # an operation without a declared scope is open to no key
        return problem(403, "Deze aanroep is voor geen enkele sleutel open.")
    if needed not in key.scope_set:
        return problem(403, f"Deze sleutel heeft het recht {needed} niet.", scope=needed)
    wrong = _unreadable_part()
    if wrong is not None:
        g.pop("api_key")  # not audited: no database takes such a path
        return problem(
            422,
            "Het adres bevat een teken dat er niet in hoort.",
            errors=[{"field": wrong, "message": f"{wrong}: alleen gewone tekens"}],
        )
    if request.endpoint in LARGE_BODIES:  # read by the view, so the limit still applies
        request.max_content_length = LARGE_BODIES[request.endpoint]
    return _not_json()


@bp.after_request
def audit(response: Response) -> Response:
    key = g.pop("api_key", None)
    if key is not None:
        keys.note_use(key, request.method, request.path, response.status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def init() -> None:
    """No CSRF on the API (no cookies count here), and a rate per key."""
    csrf.exempt(bp)
    limiter.limit(RATE, key_func=_rate_key)(bp)
