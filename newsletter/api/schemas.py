"""JSON Schemas (2020-12, as OpenAPI 3.1 takes them) of what the API answers."""

from __future__ import annotations

from datetime import date

from email_validator import SPECIAL_USE_DOMAIN_NAMES

from newsletter.subscribers import names
from newsletter.subscribers.listing import ROLES, STATES

# The patterns say what the server takes, in a regex dialect that JSON Schema tools, Python and
# Rust's regex crate read alike. A text: no control characters (C0, DEL, C1: what
# `names.unprintable` refuses) and at least one character that is not a space.
PLAIN = "[^\\u0000-\\u001f\\u007f-\\u009f]"
_BLANK = "[^\\S\\u0000-\\u001f\\u007f-\\u009f]"
_SOLID = "[^\\s\\u0000-\\u001f\\u007f-\\u009f]"
TEXT_PATTERN = f"^{_BLANK}*{_SOLID}{PLAIN}*$"
#: Markdown: tab and new lines too, and C1 (what `bodies.json_object` lets through)
_MD_PLAIN = "[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f]"
_MD_BLANK = "[^\\S\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f]"
MARKDOWN_PATTERN = f"^{_MD_BLANK}*[^\\s\\u0000-\\u001f]{_MD_PLAIN}*$"
#: a name holds no web or mail address (`names.linklike`)
NAME_PATTERN = f"^(?!.*(?i:{names.LINKLIKE_PATTERN})){TEXT_PATTERN[1:]}"
#: RFC 3339 date-times the server takes: years 1970 to 9000 (bodies.FIRST_YEAR, LAST_YEAR)
YEARS_PATTERN = "^(19[7-9][0-9]|[2-8][0-9]{3}|9000)-"
DATE_TIME = {"type": "string", "format": "date-time", "pattern": YEARS_PATTERN}
#: an address as the API takes it: ASCII, a dot-atom before the @ (at most 64 characters), a
#: domain of labels without "--" and a top-level domain of letters, no special-use domain;
#: the server also has it pass `normalise_email`
_ATOM = "[A-Za-z0-9_!#$%&'*+/=?^`{|}~-]+"
_LABEL = "(?=[A-Za-z0-9-]{1,63}(?:\\.|$))[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*"
_SPECIAL = "|".join(SPECIAL_USE_DOMAIN_NAMES)
EMAIL_PATTERN = (
    f"^(?=[^@]{{1,64}}@){_ATOM}(?:\\.{_ATOM})*"
    f"@(?=[^@]{{1,253}}$)(?!(?:.*\\.)?(?i:{_SPECIAL})$)(?:{_LABEL}\\.)+[A-Za-z]{{2,63}}$"
)
#: components the document fills in when it is made: the municipalities, and today
GEMEENTE_CODE = {"$ref": "#/components/schemas/GemeenteCode"}
CONSENT_DATE = {"$ref": "#/components/schemas/ConsentDate"}


def text(max_length: int, **more: object) -> dict:
    """A text as `bodies.Fields.text` takes it."""
    return {
        "type": "string", "minLength": 1, "maxLength": max_length, "pattern": TEXT_PATTERN,
        **more,
    }  # fmt: skip


def consent_date(today: date) -> dict:
    """A date from 2000 up to `today` (a pattern of the years, months and days allowed)."""
    years = "|".join(str(y) for y in range(2000, today.year))
    months = "|".join(f"{today.year}-{m:02d}" for m in range(1, today.month))
    days = "|".join(f"{d:02d}" for d in range(1, today.day + 1))
    allowed = [f"({years})-[0-9]{{2}}-[0-9]{{2}}", f"{today:%Y-%m}-({days})"]
    if months:
        allowed.append(f"({months})-[0-9]{{2}}")
    return {"type": "string", "format": "date", "pattern": f"^({'|'.join(allowed)})$"}


def made_now(today: date, codes: list[str]) -> dict[str, dict]:
    """The components that come from data and the clock rather than from the code."""
    return {
        "GemeenteCode": {
            "type": "string", "enum": codes, "description": "CBS-code van een gemeente, GM0363",
        },
        "ConsentDate": consent_date(today),
    }  # fmt: skip


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
    "name": text(
        names.NAME_MAX,
        pattern=NAME_PATTERN,
        description="Een naam: letters en leestekens, geen web- of e-mailadres",
    ),
    "gemeente_code": GEMEENTE_CODE,
    "role": {"type": "string", "enum": list(ROLES)},
}
NEW_READER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["email", "name", "gemeente_code", "role"],
    "properties": {
        "email": {"type": "string", "format": "email", "maxLength": 254, "pattern": EMAIL_PATTERN},
        **_DETAILS,
        "consent": {
            "type": ["object", "null"],
            "description": "Bewijs van toestemming: wanneer en waar. Zonder bewijs krijgt de "
            "lezer een mail om de aanmelding te bevestigen.",
            "additionalProperties": False,
            "required": ["date", "source"],
            "properties": {
                "date": CONSENT_DATE,
                "source": text(150),
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
    "items": text(120),
}
NEW_EDITION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "body"],
    "properties": {
        "title": text(150),
        "preheader": text(200),
        "date": {"type": "string", "format": "date",
                 "pattern": "^(20[0-9]{2}-[0-9]{2}-[0-9]{2}|2100-01-01)$"},
        "theme": text(80),
        "audience": {
            "type": "object",
            "description": "Leeg of weggelaten: alle lezers",
            "additionalProperties": False,
            "properties": {"provincies": _NAMES, "functies": _NAMES, "gemeenten": _NAMES},
        },
        "body": {"type": "string", "minLength": 1, "maxLength": 200_000,
                 "pattern": MARKDOWN_PATTERN,
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
    "properties": {"at": DATE_TIME},
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
