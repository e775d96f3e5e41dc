"""The operations of the API and the OpenAPI 3.1 document made from them.

Why our own small registry rather than apiflask, flask-smorest or spectree: each operation is
declared once, here, with its scope, parameters and JSON Schema, and the same declaration
serves the routing, the scope check and the document; OpenAPI 3.1 uses JSON Schema 2020-12
as it is, so no schema library sits in between, and the app stays a plain Flask app.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint

from newsletter.api.keys import SCOPES
from newsletter.api.problems import PROBLEM_SCHEMA

bp = Blueprint("api", __name__, url_prefix="/api/v1")
VERSION = "1.0.0"
PROBLEM_REF = "#/components/schemas/Problem"


@dataclass(frozen=True)
class Param:
    """A query or path parameter of an operation, as OpenAPI describes it."""

    name: str
    schema: dict
    description: str
    where: str = "query"


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str  # Flask's form: /readers/<reader_id>
    scope: str
    summary: str
    response: dict
    status: int = 200
    params: tuple[Param, ...] = ()
    body: dict | None = None
    example: dict | None = None  # a body that works: in the document, and used by the tests
    errors: tuple[int, ...] = field(default=(404,))
    endpoint: str = ""

    @property
    def path(self) -> str:
        return _RULE_PART.sub(r"{\2}", self.rule)

    def path_params(self) -> list[dict]:
        """Each <converter:name> of the rule, typed as Flask converts it."""
        return [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "minimum": 0, "maximum": 2147483647}
                if converter.startswith("int")
                else {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,32}$"},
            }
            for converter, name in _RULE_PART.findall(self.rule)
        ]


_RULE_PART = re.compile(r"<(?:([a-z]+(?:\([^)]*\))?):)?([a-z_]+)>")
OPERATIONS: list[Operation] = []


def operation(method: str, rule: str, *, scope: str, summary: str, response: dict, **more):
    """Register a view as an operation: its route, its scope and its part of the document."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope}")

    def register(view: Callable) -> Callable:
        op = Operation(method, rule, scope, summary, response, endpoint=view.__name__, **more)
        OPERATIONS.append(op)
        view.required_scope = scope  # type: ignore[attr-defined]
        bp.add_url_rule(rule, view.__name__, view, methods=[method])
        return view

    return register


def scope_of(view: Callable) -> str | None:
    return getattr(view, "required_scope", None)


def takes_body(endpoint: str | None) -> bool:
    """Whether the operation behind this endpoint ("api.create_reader") reads a JSON body."""
    return any(f"api.{op.endpoint}" == endpoint and op.body is not None for op in OPERATIONS)


def _problem(text: str) -> dict:
    return {
        "description": text,
        "content": {"application/problem+json": {"schema": {"$ref": PROBLEM_REF}}},
    }


_WWW_AUTHENTICATE = {
    "description": "Hoe de sleutel mee moet: Bearer",
    "required": True,
    "schema": {"type": "string", "pattern": "^Bearer "},
}
_RETRY_AFTER = {
    "description": "Seconden tot een nieuw verzoek weer kan",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}


def _operation(op: Operation) -> dict:
    params = op.path_params() + [
        {"name": p.name, "in": p.where, "required": False, "schema": p.schema,
         "description": p.description}
        for p in op.params
    ]  # fmt: skip
    responses = {
        str(op.status): {
            "description": "Gelukt",
            "content": {"application/json": {"schema": op.response}},
        },
        "401": _problem("Geen of geen geldige API-sleutel")
        | {"headers": {"WWW-Authenticate": _WWW_AUTHENTICATE}},
        "403": _problem(f"De sleutel heeft het recht {op.scope} niet"),
        "422": _problem("Een parameter of veld klopt niet; `errors` zegt welke"),
        "429": _problem("Te veel verzoeken (per sleutel, of per netwerk zonder geldige sleutel)")
        | {"headers": {"Retry-After": _RETRY_AFTER}},
    }
    for code in op.errors:
        responses[str(code)] = _problem("Niet gevonden" if code == 404 else "Kan nu niet")
    found = {
        "operationId": op.endpoint,
        "summary": op.summary,
        "parameters": params,
        "responses": responses,
        "security": [{"apiKey": [op.scope]}],
        "x-scope": op.scope,
    }
    if op.body is not None:
        responses["413"] = _problem("De inhoud is te groot (64 kB; een concept 1 MB)")
        responses["415"] = _problem("De inhoud is geen JSON (Content-Type: application/json)")
        found["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": op.body, "example": op.example}},
        }
    return found


def document(server: str, made_now: dict[str, dict]) -> dict:
    """The document; `made_now` holds the schemas that come from data and the clock."""
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "OVER het ravijn: API",
            "version": VERSION,
            "description": (
                "Lezers, edities en bereik van de nieuwsbrief OVER het ravijn, voor de systemen "
                "van de VNG. Elke aanroep draagt een API-sleutel (Authorization: Bearer …) met "
                "het recht dat de aanroep noemt. Fouten volgen RFC 9457 (problem+json)."
            ),
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {
            "schemas": {"Problem": PROBLEM_SCHEMA, **made_now},
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Een API-sleutel (rvn_…) van een beheerder. Rechten: "
                    + "; ".join(f"{k}: {v}" for k, v in SCOPES.items()),
                }
            },
        },
    }
