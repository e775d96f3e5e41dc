"""The readers as the beheerders' pages show them: search by name, address or municipality,
and one reader's details and consent history, with Dutch labels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from newsletter.extensions import db
from newsletter.reference.models import Gemeente
from newsletter.reference.services import fold
from newsletter.subscribers.models import (
    FIELD_LABELS,
    ROLE_LABELS,
    ConsentEvent,
    ConsentKind,
    ConsentSource,
    Subscriber,
    SubscriberState,
)

SEARCH_LIMIT = 50
STATE_LABELS = {
    SubscriberState.pending: "Nog niet bevestigd",
    SubscriberState.active: "Aangemeld",
    SubscriberState.unsubscribed: "Afgemeld",
    SubscriberState.bounced: "Adres werkt niet (bounce)",
    SubscriberState.complained: "Klacht (als spam gemeld)",
}
KIND_LABELS = {
    ConsentKind.requested: "aanmelding gevraagd",
    ConsentKind.confirmed: "aanmelding bevestigd",
    ConsentKind.preferences_changed: "gegevens gewijzigd",
    ConsentKind.unsubscribed: "afgemeld",
    ConsentKind.resubscribed: "opnieuw aangemeld",
    ConsentKind.bounced: "adres werkt niet",
    ConsentKind.complained: "als spam gemeld",
}
SOURCE_LABELS = {
    ConsentSource.form: "aanmeldformulier",
    ConsentSource.one_click: "afmeldknop in het mailprogramma",
    ConsentSource.preferences_page: "pagina met gegevens",
    ConsentSource.import_: "import",
    ConsentSource.relay: "mailserver weigerde het adres",
    ConsentSource.bounce_report: "foutmelding van de mailserver",
    ConsentSource.complaint_report: "klachtmelding van de provider",
    ConsentSource.editor: "redactie",
    ConsentSource.api: "ander systeem van de VNG (API)",
}


@dataclass(frozen=True)
class Found:
    id: int
    name: str
    email: str
    gemeente: str
    state: str


def search(text: str) -> list[Found]:
    """Up to 50 readers whose name, address or municipality contains `text`."""
    text = text.strip()[:120]
    if len(text) < 2:
        return []
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    gemeenten = [
        g.code
        for g in db.session.scalars(select(Gemeente))
        if fold(text) in fold(g.display_name) or fold(text) in fold(g.name)
    ]
    rows = db.session.scalars(
        select(Subscriber)
        .where(
            or_(
                Subscriber.email_key.like(pattern, escape="\\"),
                Subscriber.name.ilike(pattern, escape="\\"),
                Subscriber.gemeente_code.in_(gemeenten),
            )
        )
        .order_by(Subscriber.name, Subscriber.id)
        .limit(SEARCH_LIMIT)
    )
    return [
        Found(
            s.id,
            s.name,
            s.email,
            s.gemeente.display_name if s.gemeente else "",
            STATE_LABELS[s.state],
        )
        for s in rows
    ]


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    what: str
    via: str
    detail: str


def get(subscriber_id: int) -> Subscriber | None:
    return db.session.get(Subscriber, subscriber_id)


#: details written before they named fields in Dutch ("gewijzigd: gemeente_code, role")
_OLD_FIELDS = re.compile(r"\b(" + "|".join(FIELD_LABELS) + r")\b")


def _detail(detail: str) -> str:
    if detail.startswith(("gewijzigd: ", "gecorrigeerd: ")):
        return _OLD_FIELDS.sub(lambda m: FIELD_LABELS[m.group(1)], detail)
    return detail


def history(subscriber_id: int) -> list[HistoryLine]:
    events = db.session.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.subscriber_id == subscriber_id)
        .order_by(ConsentEvent.id)
    )
    return [
        HistoryLine(
            e.occurred_at, KIND_LABELS[e.kind], SOURCE_LABELS[e.source], _detail(e.detail or "")
        )
        for e in events
    ]


def role_choices() -> list[tuple[str, str]]:
    return [(role.value, label) for role, label in ROLE_LABELS.items()]
