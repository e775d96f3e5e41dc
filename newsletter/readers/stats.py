"""The figures of the dashboard, each one query over the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, func, select

from newsletter.database import utcnow
from newsletter.delivery.models import Delivery, DeliveryState
from newsletter.editions.models import Edition
from newsletter.extensions import db
from newsletter.reference.models import Gemeente
from newsletter.subscriptions.models import (
    ROLE_LABELS,
    ConsentEvent,
    ConsentKind,
    Role,
    Status,
    Subscriber,
)

WEEKS = 12


@dataclass(frozen=True)
class GemeenteCount:
    code: str
    name: str
    province: str
    readers: int


@dataclass(frozen=True)
class Week:
    monday: date
    signups: int
    confirmations: int
    unsubscribes: int


@dataclass(frozen=True)
class EditionFigures:
    id: int
    title: str
    sent_at: object
    recipients: int
    sent: int
    failed: int
    bounced: int
    unsubscribed_7d: int


def per_gemeente() -> list[GemeenteCount]:
    active = (
        select(Subscriber.gemeente_code, func.count().label("n"))
        .where(Subscriber.status == Status.active)
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
            .where(Subscriber.status == Status.active)
            .group_by(Subscriber.role)
        ).all()
    )
    return [(label, rows.get(role, 0)) for role, label in ROLE_LABELS.items()]


def by_province(counts: list[GemeenteCount]) -> list[tuple[str, int, int, int]]:
    """(province, readers, municipalities reached, municipalities)."""
    totals: dict[str, list[int]] = {}
    for c in counts:
        entry = totals.setdefault(c.province, [0, 0, 0])
        entry[0] += c.readers
        entry[1] += 1 if c.readers else 0
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


def _unsubscribed_within_week(edition_id: int, published_at) -> int:
    if published_at is None:
        return 0
    return (
        db.session.scalar(
            select(func.count(ConsentEvent.id))
            .join(Delivery, Delivery.subscriber_id == ConsentEvent.subscriber_id)
            .where(
                Delivery.edition_id == edition_id,
                ConsentEvent.kind == ConsentKind.unsubscribed,
                ConsentEvent.occurred_at >= published_at,
                ConsentEvent.occurred_at < published_at + timedelta(days=7),
            )
        )
        or 0
    )


def editions() -> list[EditionFigures]:
    failed = Delivery.state == DeliveryState.failed
    bounced = and_(failed, Delivery.error.like("5%") | Delivery.error.like("DSN%"))
    rows = db.session.execute(
        select(
            Edition.id,
            Edition.title,
            Edition.published_at,
            func.count(Delivery.id),
            func.sum(case((Delivery.state == DeliveryState.sent, 1), else_=0)),
            func.sum(case((failed, 1), else_=0)),
            func.sum(case((bounced, 1), else_=0)),
        )
        .join(Delivery, Delivery.edition_id == Edition.id)
        .group_by(Edition.id, Edition.title, Edition.published_at)
        .order_by(Edition.id.desc())
        .limit(20)
    ).all()
    return [
        EditionFigures(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4] or 0,
            r[5] or 0,
            r[6] or 0,
            _unsubscribed_within_week(r[0], r[2]),
        )
        for r in rows
    ]
