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
_DETAILS = {
    "name": {
        "type": "string",
        "minLength": 1,
        "maxLength": 120,
        "pattern": "\\S",
        "description": "Een naam: letters en leestekens, geen web- of e-mailadres",
    },
    "gemeente_code": {"type": "string", "pattern": "^GM[0-9]{4}$"},
    "role": {"type": "string", "enum": list(ROLES)},
}
NEW_READER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["email", "name", "gemeente_code", "role"],
    "properties": {
        "email": {"type": "string", "format": "email", "maxLength": 320},
        **_DETAILS,
        "consent": {
            "type": ["object", "null"],
            "description": "Bewijs van toestemming: wanneer en waar. Zonder bewijs krijgt de "
            "lezer een mail om de aanmelding te bevestigen.",
            "additionalProperties": False,
            "required": ["date", "source"],
            "properties": {
                "date": {"type": "string", "format": "date"},
                "source": {"type": "string", "minLength": 1, "maxLength": 150, "pattern": "\\S"},
            },
        },
    },
}
NEW_READER_EXAMPLE = {
    "email": "j.jansen@utrecht.nl",
    "name": "Jan Jansen",
    "gemeente_code": "GM0344",
    "role": "wethouder",
    "consent": {"date": "2026-11-02", "source": "aanmeldlijst VNG-congres"},
}
READER_CHANGE = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": _DETAILS,
}
READER_CHANGE_EXAMPLE = {"role": "burgemeester"}
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
_NAMES = {
    "type": "array",
    "items": {"type": "string", "minLength": 1, "maxLength": 120, "pattern": "\\S"},
}
NEW_EDITION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "body"],
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 150, "pattern": "\\S"},
        "preheader": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S"},
        "date": {"type": "string", "format": "date"},
        "theme": {"type": "string", "minLength": 1, "maxLength": 80, "pattern": "\\S"},
        "audience": {
            "type": "object",
            "description": "Leeg of weggelaten: alle lezers",
            "additionalProperties": False,
            "properties": {"provincies": _NAMES, "functies": _NAMES, "gemeenten": _NAMES},
        },
        "body": {"type": "string", "minLength": 1, "maxLength": 200_000, "pattern": "\\S",
                 "description": "De tekst in Markdown"},
    },
}  # fmt: skip
NEW_EDITION_EXAMPLE = {
    "title": "Het ravijn van 2026",
    "date": "2026-12-15",
    "audience": {"provincies": ["Utrecht"]},
    "body": "## De begroting\n\nGemeenten komen in 2026 geld tekort. Wat betekent dat voor u?",
}
DRAFT = {
    **EDITION,
    "required": [*EDITION["required"], "problems"],
    "properties": {
        **EDITION["properties"],
        "problems": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["level", "message"],
                "properties": {
                    "level": {"type": "string", "enum": ["error", "warning"]},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
SCHEDULE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["at"],
    "properties": {"at": {"type": "string", "format": "date-time"}},
}
SCHEDULE_EXAMPLE = {"at": "2099-01-15T09:00:00+01:00"}
ARCHIVE = {
    "type": "object",
    "required": ["editions"],
    "properties": {
        "editions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "title", "date", "sent_at", "url"],
                "properties": {
                    "id": {"type": "integer"},
                    "title": {"type": "string"},
                    "date": {"type": ["string", "null"], "format": "date"},
                    "sent_at": STAMP,
                    "url": {"type": "string", "format": "uri"},
                },
            },
        }
    },
}
