"""Reading a JSON request body field by field: every wrong field is collected, so one 422
names them all (the form pages do the same)."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import request

from newsletter.api.problems import Invalid, field_error
from newsletter.subscribers import names

MAX_DEPTH = 8  # our bodies are two levels deep
#: RFC 3339's date-time (section 5.6): "T" and "Z" in either case, a zone always
RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)
FIRST_YEAR, LAST_YEAR = 1970, 9000
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # RFC 3339's full-date


def rfc3339(name: str, value: object) -> datetime:
    """An RFC 3339 date-time between FIRST_YEAR and LAST_YEAR, or Invalid with a Dutch
    message that says which of the two is wrong."""
    found = None
    if isinstance(value, str) and RFC3339.fullmatch(value):
        try:
            found = datetime.fromisoformat(value.upper())
        except ValueError:  # a 31st of February, an hour 25
            found = None
    if found is None:
        raise field_error(name, f"{name} is een tijd met tijdzone, als 2026-12-01T09:00:00+01:00")
    if not FIRST_YEAR <= found.year <= LAST_YEAR:
        raise field_error(name, f"{name} ligt tussen de jaren {FIRST_YEAR} en {LAST_YEAR}")
    return found


def json_object() -> dict:
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # [[[[… many levels deep: the parser gives up
        data = None
    if not isinstance(data, dict):
        raise field_error("body", "De inhoud is geen JSON-object (Content-Type: application/json).")
    wrong = _unreadable(data, "", 0)
    if wrong is not None:
        raise field_error(
            wrong or "body",
            f"{wrong or 'De inhoud'} bevat een teken dat niet in tekst hoort (zoals NUL), "
            "of is te diep genest.",
        )
    return data


def _unreadable(value: object, where: str, depth: int) -> str | None:
    """The field (dotted) holding a string no database or mail should get: NUL, other
    control characters than tab and newline, or half a surrogate pair; None if all is well."""
    if depth > MAX_DEPTH:
        return where
    if isinstance(value, str):
        bad = any((ord(c) < 32 and c not in "\t\n\r") or 0xD800 <= ord(c) < 0xE000 for c in value)
        return where if bad else None
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        if isinstance(key, str) and _unreadable(key, where, depth + 1) is not None:
            return where
        found = _unreadable(item, f"{where}.{key}" if where else str(key), depth + 1)
        if found is not None:
            return found
    return None


class Fields:
    """`fields.text("name", ...)` returns the value or None and remembers what was wrong;
    `fields.check()` raises one Invalid with every problem at once."""

    def __init__(self, data: dict, allowed: set[str]) -> None:
        self.data = data
        self.errors: list[dict[str, str]] = []
        for name in sorted(set(data) - allowed):
            self.wrong(name, f"{name} is geen veld van deze aanroep")

    def wrong(self, name: str, message: str) -> None:
        self.errors.append({"field": name, "message": message})

    def present(self, name: str) -> bool:
        return name in self.data

    def text(self, name: str, *, required: bool = True, max_length: int = 120) -> str | None:
        if not self.present(name):
            if required:
                self.wrong(name, f"{name} ontbreekt")
            return None
        value = self.data[name]
        if not isinstance(value, str) or not value.strip():  # null too: leave the field out
            self.wrong(name, f"{name} is een tekst die niet leeg is")
            return None
        if len(value) > max_length or names.unprintable(value):
            self.wrong(name, f"{name} is langer dan {max_length} tekens of bevat stuurtekens")
            return None
        return " ".join(value.split())

    def choice(self, name: str, allowed: tuple[str, ...], *, required: bool = True) -> str | None:
        value = self.data.get(name)
        if value is None and not required:
            return None
        if value not in allowed:
            self.wrong(name, f"{name} is een van: {', '.join(allowed)}")
            return None
        return value

    def day(self, name: str, data: dict | None = None) -> date | None:
        value = (self.data if data is None else data).get(name)
        if not isinstance(value, str) or not DAY.fullmatch(value):
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None

    def moment(self, name: str) -> datetime | None:
        try:
            return rfc3339(name, self.data.get(name))
        except Invalid as exc:
            self.errors += exc.errors
            return None

    def check(self) -> None:
        if self.errors:
            raise Invalid(self.errors)
