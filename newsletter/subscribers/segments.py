"""Who an edition goes to: active subscribers matching the edition's segment (its filter)."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select

from newsletter.extensions import db
from newsletter.reference.models import Gemeente
from newsletter.reference.services import all_gemeenten, find_gemeente, fold
from newsletter.subscribers.models import ROLE_LABELS, Role, Subscriber, SubscriberState


class SegmentError(ValueError):
    """A segment names something that does not exist; the message is Dutch (args[1]: one
    message per unknown name)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Segment:
    provinces: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    gemeenten: tuple[str, ...] = ()  # CBS codes

    @property
    def everyone(self) -> bool:
        return not (self.provinces or self.roles or self.gemeenten)

    def describe(self) -> str:
        if self.everyone:
            return "alle aangemelde lezers"
        parts = []
        if self.provinces:
            parts.append("provincie " + ", ".join(self.provinces))
        if self.roles:
            parts.append("functie " + ", ".join(ROLE_LABELS[r].lower() for r in self.roles))
        if self.gemeenten:
            parts.append(f"{len(self.gemeenten)} gemeente(n)")
        return "lezers met " + " en ".join(parts)


def choices() -> tuple[list[str], list[str]]:
    """(provinces, roles) as an editor picks them for an audience."""
    return sorted(_provinces().values()), list(ROLE_LABELS.values())


def gemeente_names() -> list[str]:
    """Every municipality by the name people use, for the audience's search."""
    return sorted((g.common_name or g.name for g in all_gemeenten()), key=fold)


def _provinces() -> dict[str, str]:
    names = db.session.scalars(select(Gemeente.province).distinct())
    return {fold(name): name for name in names}


def resolve(segment: str | dict[str, list[str]]) -> Segment:
    """The stored JSON filter as an Audience; every unknown name is reported at once."""
    data = json.loads(segment) if isinstance(segment, str) else segment
    data = data or {}
    known = _provinces()
    labels = {fold(label): role for role, label in ROLE_LABELS.items()}
    found = {
        "provincies": [known.get(fold(n)) for n in data.get("provincies", [])],
        "functies": [labels.get(fold(n)) for n in data.get("functies", [])],
        "gemeenten": [find_gemeente(n) for n in data.get("gemeenten", [])],
    }
    unknown = [
        (key, name)
        for key, values in found.items()
        for name, value in zip(data.get(key, []), values, strict=True)
        if value is None
    ]
    if unknown:
        messages = [_unknown(key, name, known) for key, name in unknown]
        raise SegmentError(" ".join(messages), messages)
    return Segment(
        provinces=tuple(p for p in found["provincies"] if p),
        roles=tuple(r for r in found["functies"] if r),
        gemeenten=tuple(g.code for g in found["gemeenten"] if g),
    )


KINDS = {"provincies": "provincie", "functies": "functie", "gemeenten": "gemeente"}


def _unknown(key: str, name: str, provinces: dict[str, str]) -> str:
    """'Onbekende provincie: Gelderlnd. Misschien bedoeld: Gelderland?'"""
    choices = {
        "provincies": list(provinces.values()),
        "functies": list(ROLE_LABELS.values()),
        "gemeenten": [g.common_name or g.name for g in all_gemeenten()],
    }[key]
    by_fold = {fold(choice): choice for choice in choices}
    close = difflib.get_close_matches(fold(name), list(by_fold), n=2, cutoff=0.75)
    text = f"Onbekende {KINDS[key]}: {name}."
    if close:
        text += " Misschien bedoeld: " + " of ".join(by_fold[c] for c in close) + "?"
    return text


def problems(segment: str | dict[str, list[str]]) -> list[str]:
    """Every unknown name in a segment, each with a suggestion where one is close."""
    try:
        resolve(segment)
    except SegmentError as exc:
        return list(exc.args[1]) if len(exc.args) > 1 else [str(exc)]
    return []


def conditions(segment: Segment, snapshot_at: datetime | None = None) -> list[ColumnElement]:
    """WHERE clauses on Subscriber; readers confirmed after `snapshot_at` are not in it."""
    where: list[ColumnElement] = [Subscriber.state == SubscriberState.active]
    if snapshot_at is not None:
        where.append(Subscriber.confirmed_at <= snapshot_at)
    if segment.roles:
        where.append(Subscriber.role.in_(segment.roles))
    if segment.gemeenten:
        where.append(Subscriber.gemeente_code.in_(segment.gemeenten))
    if segment.provinces:
        in_provinces = select(Gemeente.code).where(Gemeente.province.in_(segment.provinces))
        where.append(Subscriber.gemeente_code.in_(in_provinces))
    return where


def count(segment: Segment) -> int:
    return db.session.scalar(select(func.count(Subscriber.id)).where(*conditions(segment))) or 0


def page(segment: Segment, snapshot_at: datetime, after_id: int, limit: int, *extra) -> Select:
    """The next `limit` subscriber ids of the segment after `after_id`, with `extra` columns
    (keyset pagination: the snapshot never holds a subscriber list in memory)."""
    return (
        select(Subscriber.id, *extra)
        .where(*conditions(segment, snapshot_at), Subscriber.id > after_id)
        .order_by(Subscriber.id)
        .limit(limit)
    )
