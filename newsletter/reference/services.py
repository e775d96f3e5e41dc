"""Finding a municipality by what a person types: code, official or common name, any case."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from newsletter.extensions import db
from newsletter.reference.models import Gemeente


@dataclass(frozen=True)
class GemeenteRow:
    code: str
    name: str
    common_name: str | None
    province: str


def fold(text: str) -> str:
    """Case- and accent-insensitive key: 'Súdwest-Fryslân' and 'sudwest fryslan' match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.replace("-", " ").replace("'", "").split())


def _index() -> tuple[list[GemeenteRow], dict[str, GemeenteRow]]:
    """Reference data changes once a year: read it once per process, not on every request."""
    cached = current_app.extensions.get("gemeente_index")
    if cached is None:
        rows = [
            GemeenteRow(g.code, g.name, g.common_name, g.province)
            for g in db.session.scalars(select(Gemeente).order_by(Gemeente.name))
        ]
        lookup: dict[str, GemeenteRow] = {}
        for row in rows:
            lookup[row.code.casefold()] = row
            for text in (row.name, row.common_name, option_label(row)):
                if text:
                    lookup[fold(text)] = row
        cached = current_app.extensions["gemeente_index"] = (rows, lookup)
    return cached


def all_gemeenten() -> list[GemeenteRow]:
    return _index()[0]


def find_gemeente(text: str) -> GemeenteRow | None:
    """The one municipality `text` names, or None; the label 'Den Haag ('s-Gravenhage)' works."""
    text = (text or "").strip()
    if not text or len(text) > 120:
        return None
    lookup = _index()[1]
    return lookup.get(text.casefold()) or lookup.get(fold(text))


def option_label(gemeente: GemeenteRow | Gemeente) -> str:
    """What the form shows and accepts back: the common name first, the official one in brackets."""
    if gemeente.common_name and gemeente.common_name != gemeente.name:
        return f"{gemeente.common_name} ({gemeente.name})"
    return gemeente.name
