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
#: an address as the API takes it: at most 254 characters, ASCII, a dot-atom before the @ (at
#: most 64 characters), a domain of labels without "--" and a top-level domain of letters, no
#: special-use domain; the server also has it pass `normalise_email`
_ATOM = "[A-Za-z0-9_!#$%&'*+/=?^`{|}~-]+"
_LABEL = "(?=[A-Za-z0-9-]{1,63}(?:\\.|$))[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*"
_SPECIAL = "|".join(SPECIAL_USE_DOMAIN_NAMES)
EMAIL_PATTERN = (
    f"^(?=.{{3,254}}$)(?=[^@]{{1,64}}@){_ATOM}(?:\\.{_ATOM})*"
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


def obj(
    required: dict[str, dict],
    optional: dict[str, dict] | None = None,
    *,
    closed: bool = True,
    **more: object,
) -> dict:
    """A JSON object: the `required` properties always there, the `optional` ones at will;
    `closed`: no others. `more`: further keywords (a description)."""
    schema: dict = {"type": "object"}
    if closed:
        schema["additionalProperties"] = False
    if required:
        schema["required"] = list(required)
    return {**schema, "properties": {**required, **(optional or {})}, **more}


STAMP = {"type": ["string", "null"], "format": "date-time"}
TEXT_OR_NULL = {"type": ["string", "null"]}

READER = obj(
    {
        "id": {"type": "string", "description": "Vaste, openbare sleutel van de lezer"},
        "email": {"type": "string"},
        "name": {"type": "string"},
        "role": {"type": "string", "enum": list(ROLES)},
        "state": {"type": "string", "enum": list(STATES)},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
    {
        "gemeente_code": TEXT_OR_NULL,
        "gemeente": TEXT_OR_NULL,
        "province": TEXT_OR_NULL,
        "confirmed_at": STAMP,
        "unsubscribed_at": STAMP,
    },
)
_DETAILS = {
    "name": text(
        names.NAME_MAX,
        pattern=NAME_PATTERN,
        description="Een naam: letters en leestekens, geen web- of e-mailadres",
    ),
    "gemeente_code": GEMEENTE_CODE,
    "role": {"type": "string", "enum": list(ROLES)},
}
NEW_READER = obj(
    {
        # The pattern is the whole rule, length included: with `format: email` or `maxLength`
        # beside it, Schemathesis's coverage phase spends a minute per keyword looking for a value
        # that fits the pattern yet breaks the format, or is exactly 254 characters long
        "email": {
            "type": "string",
            "pattern": EMAIL_PATTERN,
            "description": "Een e-mailadres van hoogstens 254 tekens, zoals het patroon zegt",
        },
        **_DETAILS,
    },
    {
        "consent": obj(
            {"date": CONSENT_DATE, "source": text(150)},
            type=["object", "null"],
            description="Bewijs van toestemming: wanneer en waar. Zonder bewijs krijgt de "
            "lezer een mail om de aanmelding te bevestigen.",
        ),
    },
)
NEW_READER_EXAMPLE = {
    "email": "j.jansen@utrecht.nl",
    "name": "Jan Jansen",
    "gemeente_code": "GM0344",
    "role": "wethouder",
    "consent": {"date": "2026-11-02", "source": "aanmeldlijst VNG-congres"},
}
READER_CHANGE = obj({}, _DETAILS, minProperties=1)
READER_CHANGE_EXAMPLE = {"role": "burgemeester"}
READER_PAGE = obj(
    {
        "readers": {"type": "array", "items": READER},
        "next_cursor": {"type": ["string", "null"], "description": "null: de laatste pagina"},
    }
)
ERASED = obj({"erased": {"type": "boolean", "const": True}}, closed=False)
COUNT = {"type": "integer", "minimum": 0}
_EDITION = {
    "id": {"type": "integer"},
    "title": {"type": "string"},
    "state": {"type": "string"},
    "state_label": {"type": "string"},
    "counts": obj(
        {k: COUNT for k in ("total", "sent", "failed", "skipped", "pending")}, closed=False
    ),
    "percent": {"type": "integer", "minimum": 0, "maximum": 100},
}
_EDITION_TIMES = {"scheduled_at": STAMP, "published_at": STAMP, "sent_at": STAMP}
EDITION = obj(_EDITION, _EDITION_TIMES)
EDITION_LIST = obj({"editions": {"type": "array", "items": EDITION}}, closed=False)
REACH = obj(
    {
        "gemeenten": {
            "type": "array",
            "items": obj(
                {
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "province": {"type": "string"},
                    "subscribers": COUNT,
                },
                closed=False,
            ),
        },
        "provinces": {
            "type": "array",
            "items": obj(
                {
                    "province": {"type": "string"},
                    "readers": COUNT,
                    "gemeenten_reached": COUNT,
                    "gemeenten": COUNT,
                },
                closed=False,
            ),
        },
    },
    closed=False,
)
_NAMES = {
    "type": "array",
    "items": text(120),
}
NEW_EDITION = obj(
    {"title": text(150), "body": {"type": "string", "minLength": 1, "maxLength": 200_000,
                                  "pattern": MARKDOWN_PATTERN,
                                  "description": "De tekst in Markdown"}},
    {
        "preheader": text(200),
        "date": {"type": "string", "format": "date",
                 "pattern": "^(20[0-9]{2}-[0-9]{2}-[0-9]{2}|2100-01-01)$"},
        "theme": text(80),
        "audience": obj({}, {"provincies": _NAMES, "functies": _NAMES, "gemeenten": _NAMES},
                        description="Leeg of weggelaten: alle lezers"),
    },
)  # fmt: skip
NEW_EDITION_EXAMPLE = {
    "title": "Het ravijn van 2026",
    "date": "2026-12-15",
    "audience": {"provincies": ["Utrecht"]},
    "body": "## De begroting\n\nGemeenten komen in 2026 geld tekort. Wat betekent dat voor u?",
}
_PROBLEM = obj(
    {"level": {"type": "string", "enum": ["error", "warning"]}, "message": {"type": "string"}},
    closed=False,
)
DRAFT = obj({**_EDITION, "problems": {"type": "array", "items": _PROBLEM}}, _EDITION_TIMES)
SCHEDULE = obj({"at": DATE_TIME})
SCHEDULE_EXAMPLE = {"at": "2099-01-15T09:00:00+01:00"}
ARCHIVE = obj(
    {
        "editions": {
            "type": "array",
            "items": obj(
                {
                    "id": {"type": "integer"},
                    "title": {"type": "string"},
                    "date": {"type": ["string", "null"], "format": "date"},
                    "sent_at": STAMP,
                    "url": {"type": "string", "format": "uri"},
                },
                closed=False,
            ),
        }
    },
    closed=False,
)
