"""The figures of the dashboard, each one query over the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from newsletter.database import utcnow
from newsletter.extensions import db
from newsletter.reference.models import Gemeente
from newsletter.subscribers.models import (
    ROLE_LABELS,
    ConsentEvent,
    ConsentKind,
    Role,
    Subscriber,
    SubscriberState,
)

WEEKS = 12


@dataclass(frozen=True)
class GemeenteCount:
    code: str
    name: str
    province: str
    subscribers: int


@dataclass(frozen=True)
class Week:
    monday: date
    signups: int
    confirmations: int
    unsubscribes: int


def per_gemeente() -> list[GemeenteCount]:
    active = (
        select(Subscriber.gemeente_code, func.count().label("n"))
        .where(Subscriber.state == SubscriberState.active)
        .group_by(Subscriber.gemeente_code)
        .subquery()
    )
    rows = db.session.execute(
        select(Gemeente.code, Gemeente.name, Gemeente.common_name, Gemeente.province, active.c.n)
        .outerjoin(active, active.c.gemeente_code == Gemeente.code)
        .order_by(Gemeente.name)
    ).all()
    return [GemeenteCount(c, common or name, p, n or 0) for c, name, common, p, n in rows]


def by_role() -> list[tuple[str, int]]:
    rows = dict(
        db.session.execute(
            select(Subscriber.role, func.count())
            .where(Subscriber.state == SubscriberState.active)
            .group_by(Subscriber.role)
        ).all()
    )
    return [(label, rows.get(role, 0)) for role, label in ROLE_LABELS.items()]


def by_province(counts: list[GemeenteCount]) -> list[tuple[str, int, int, int]]:
    """(province, readers, municipalities reached, municipalities)."""
    totals: dict[str, list[int]] = {}
    for c in counts:
        entry = totals.setdefault(c.province, [0, 0, 0])
        entry[0] += c.subscribers
        entry[1] += 1 if c.subscribers else 0
        entry[2] += 1
    return [(p, *v) for p, v in sorted(totals.items())]


def weeks(
    today: date | None = None, role: Role | None = None, province: str | None = None
) -> list[Week]:
    """Per week for the last WEEKS weeks; optionally only readers of one role or province."""
    today = today or utcnow().date()
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS - 1)
    kinds = {
        ConsentKind.requested: "signups",
        ConsentKind.confirmed: "confirmations",
        ConsentKind.resubscribed: "confirmations",
        ConsentKind.unsubscribed: "unsubscribes",
    }
    query = select(ConsentEvent.kind, ConsentEvent.occurred_at).where(
        ConsentEvent.kind.in_(list(kinds)),
        ConsentEvent.occurred_at >= utcnow() - timedelta(weeks=WEEKS, days=7),
    )
    if role is not None or province:
        query = query.join(Subscriber, Subscriber.id == ConsentEvent.subscriber_id)
    if role is not None:
        query = query.where(Subscriber.role == role)
    if province:
        in_province = select(Gemeente.code).where(Gemeente.province == province)
        query = query.where(Subscriber.gemeente_code.in_(in_province))
    rows = db.session.execute(query)
    table = {
        first + timedelta(weeks=i): {"signups": 0, "confirmations": 0, "unsubscribes": 0}
        for i in range(WEEKS)
    }
    for kind, at in rows:
        day = at.date()
        monday = day - timedelta(days=day.weekday())
        if monday in table:
            table[monday][kinds[kind]] += 1
    return [Week(m, **v) for m, v in sorted(table.items())]
