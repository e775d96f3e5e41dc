"""Reading the audit log: who may see which rows, filtered by kind, person and period, in
pages of a fixed order (newest first). A beheerder sees everyone's actions; any other editor
only their own (so never another's webhook addresses or key names)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select

from newsletter.auth import roles
from newsletter.auth.audit import ACTION_LABELS, AUTOMATIC, CLI, CLOCK
from newsletter.auth.models import AuditEvent, Editor
from newsletter.extensions import db
from newsletter.formatting import typed_day

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PAGE_SIZE = 50
#: who else acts, besides editors: the choices of the person filter that are not an editor
OTHERS = {
    "opdrachtregel": CLI.label,
    "planner": CLOCK.label,
    "automatisch": AUTOMATIC.label,
    "api": "api: ",  # any API key
    "onbekend": "onbekend",  # a failed login with an address nobody has
}


KIND = re.compile(r"[a-z0-9 -]{0,40}", re.ASCII)


class FilterError(ValueError):
    """A filter that cannot be applied; the message says why, in Dutch."""


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    person: str = ""  # an editor's id, a key of OTHERS, or "" for everyone
    start: date | None = None
    end: date | None = None  # inclusive
    page: int = 1
    upto: int | None = None  # the newest id of the first page: later rows do not shift pages


@dataclass(frozen=True)
class Page:
    events: list[AuditEvent]
    page: int
    pages: int
    total: int
    upto: int | None


def _dutch_day(text: str, label: str) -> date | None:
    try:
        return typed_day(text)
    except ValueError:
        raise FilterError(f"{label}: vul een datum in als 21-03-2026 of 2026-03-21.") from None


def _number(text: str, default: int | None) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else default


def parse(args: dict[str, str]) -> Filters:
    """The query string of the page → filters; raise FilterError for a date that is not one."""
    start = _dutch_day(args.get("van", ""), "Van")
    end = _dutch_day(args.get("tot", ""), "Tot en met")
    if start and end and start > end:
        raise FilterError("De datum bij ‘van’ ligt na de datum bij ‘tot en met’.")
    kind, person = args.get("soort", "").strip(), args.get("persoon", "").strip()
    if not KIND.fullmatch(kind):
        raise FilterError("Soort actie: kies er een uit de lijst.")
    if person not in OTHERS and _number(person, None) is None:
        person = ""  # an editor that is not there (any more): everyone
    return Filters(
        kind=kind,
        person=person,
        start=start,
        end=end,
        page=max(1, _number(args.get("pagina", ""), 1) or 1),
        upto=_number(args.get("stand", ""), None),
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), AMSTERDAM).astimezone(UTC)


def _visible(viewer: Editor, filters: Filters) -> Select[tuple[AuditEvent]]:
    query = select(AuditEvent)
    if not viewer.has_role(roles.BEHEERDER):
        query = query.where(AuditEvent.editor_id == viewer.id)
    elif filters.person.isascii() and filters.person.isdigit():
        query = query.where(AuditEvent.editor_id == int(filters.person))
    elif filters.person == "api":
        query = query.where(AuditEvent.actor.startswith(OTHERS["api"], autoescape=True))
    elif filters.person in OTHERS:
        query = query.where(AuditEvent.actor == OTHERS[filters.person])
    if filters.kind:
        query = query.where(AuditEvent.action == filters.kind)
    if filters.start:
        query = query.where(AuditEvent.occurred_at >= _midnight(filters.start))
    if filters.end:
        query = query.where(AuditEvent.occurred_at < _midnight(filters.end + timedelta(days=1)))
    return query


def page(viewer: Editor, filters: Filters) -> Page:
    """One page of the rows `viewer` may see, newest first (by id: the order never changes)."""
    query = _visible(viewer, filters)
    upto = filters.upto
    if upto is None:
        upto = db.session.scalar(query.with_only_columns(func.max(AuditEvent.id)))
    if upto is not None:
        query = query.where(AuditEvent.id <= upto)
    total = db.session.scalar(query.with_only_columns(func.count()).order_by(None)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(filters.page, pages)
    rows = db.session.scalars(
        query.order_by(AuditEvent.id.desc()).offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    )
    return Page(list(rows), number, pages, total, upto)


def kinds(viewer: Editor) -> list[tuple[str, str]]:
    """The kinds to filter on: for a beheerder every labelled one and any other in the log,
    for anyone else the kinds of their own rows."""
    query = select(AuditEvent.action).distinct()
    found = set(ACTION_LABELS)
    if not viewer.has_role(roles.BEHEERDER):
        query, found = query.where(AuditEvent.editor_id == viewer.id), set()
    found |= set(db.session.scalars(query))
    return sorted(((k, ACTION_LABELS.get(k, k)) for k in found), key=lambda kv: kv[1].lower())


def people() -> list[tuple[str, str]]:
    """The choices of the person filter (for beheerders): every editor, then the others."""
    editors = db.session.scalars(select(Editor).order_by(Editor.name, Editor.email))
    found = [(str(e.id), f"{e.name} ({e.email})" if e.name else e.email) for e in editors]
    return [
        *found,
        ("opdrachtregel", "de opdrachtregel (server)"),
        ("planner", "de planner"),
        ("automatisch", "de verzending (automatisch)"),
        ("api", "een API-sleutel"),
        ("onbekend", "onbekend (mislukte inlog)"),
    ]
