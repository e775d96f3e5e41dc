"""JSON Schemas (2020-12, as OpenAPI 3.1 takes them) of what the API answers."""

from __future__ import annotations

from newsletter.subscribers.listing import ROLES, STATES

STAMP = {"type": ["string", "null"], "format": "date-time"}
TEXT_OR_NULL = {"type": ["string", "null"]}

READER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "email", "name", "role", "state", "created_at", "updated_at"],
    "properties": {
        "id": {"type": "string", "description": "Vaste, openbare sleutel van de lezer"},
        "email": {"type": "string"},
        "name": {"type": "string"},
        "gemeente_code": TEXT_OR_NULL,
        "gemeente": TEXT_OR_NULL,
        "province": TEXT_OR_NULL,
        "role": {"type": "string", "enum": list(ROLES)},
        "state": {"type": "string", "enum": list(STATES)},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "confirmed_at": STAMP,
        "unsubscribed_at": STAMP,
    },
}
READER_PAGE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["readers", "next_cursor"],
    "properties": {
        "readers": {"type": "array", "items": READER},
        "next_cursor": {"type": ["string", "null"], "description": "null: de laatste pagina"},
    },
}
ERASED = {
    "type": "object",
    "required": ["erased"],
    "properties": {"erased": {"type": "boolean", "const": True}},
}
COUNT = {"type": "integer", "minimum": 0}
EDITION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "title", "state", "state_label", "counts", "percent"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "state": {"type": "string"},
        "state_label": {"type": "string"},
        "scheduled_at": STAMP,
        "published_at": STAMP,
        "sent_at": STAMP,
        "counts": {
            "type": "object",
            "required": ["total", "sent", "failed", "skipped", "pending"],
            "properties": {k: COUNT for k in ("total", "sent", "failed", "skipped", "pending")},
        },
        "percent": {"type": "integer", "minimum": 0, "maximum": 100},
    },
}
EDITION_LIST = {
    "type": "object",
    "required": ["editions"],
    "properties": {"editions": {"type": "array", "items": EDITION}},
}
REACH = {
    "type": "object",
    "required": ["gemeenten", "provinces"],
    "properties": {
        "gemeenten": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "name", "province", "subscribers"],
                "properties": {
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "province": {"type": "string"},
                    "subscribers": COUNT,
                },
            },
        },
        "provinces": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["province", "readers", "gemeenten_reached", "gemeenten"],
                "properties": {
                    "province": {"type": "string"},
                    "readers": COUNT,
                    "gemeenten_reached": COUNT,
                    "gemeenten": COUNT,
                },
            },
        },
    },
}
