"""Errors as RFC 9457 problem details (application/problem+json), in Dutch."""

from __future__ import annotations

from flask import jsonify
from werkzeug.wrappers import Response

from newsletter.api.schemas import obj

TITLES = {
    400: "Verzoek niet leesbaar",
    401: "Geen geldige API-sleutel",
    403: "Deze sleutel mag dit niet",
    404: "Niet gevonden",
    405: "Deze methode is hier niet toegestaan",
    409: "Kan nu niet",
    422: "Gegevens kloppen niet",
    429: "Te veel verzoeken",
    500: "Er ging iets mis",
}


def problem(
    status: int, detail: str, errors: list[dict[str, str]] | None = None, **extra: object
) -> Response:
    body: dict[str, object] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Fout"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors  # [{"field": …, "message": …}]
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="ravijn-api"'
    return response


class Invalid(Exception):
    """Input that does not fit: each field with its Dutch message (422)."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(e["message"] for e in errors))
        self.errors = errors


def field_error(field: str, message: str) -> Invalid:
    return Invalid([{"field": field, "message": message}])


PROBLEM_SCHEMA = obj(
    {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
    {
        "errors": {
            "type": "array",
            "items": obj(
                {"field": {"type": "string"}, "message": {"type": "string"}}, closed=False
            ),
        },
    },
    closed=False,
)
