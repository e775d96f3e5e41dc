"""Counts of what readers did, never who: leaving per edition, sign-ups per source and month.
Plain numbers for the results page and the API (newsletter.results)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from sqlalchemy import func, select

from newsletter.extensions import db
from newsletter.reference.models import Gemeente
from newsletter.subscribers.models import ConsentEvent, ConsentKind, Subscriber


def unsubscribes_per_day(edition_id: int) -> dict[date, int]:
    """Unsubscribes through this edition's link (the page's button or the one-click POST)."""
    moments = db.session.scalars(
        select(ConsentEvent.occurred_at).where(
            ConsentEvent.kind == ConsentKind.unsubscribed, ConsentEvent.edition_id == edition_id
        )
    )
    return dict(sorted(Counter(moment.date() for moment in moments).items()))


def signups_per_source() -> dict[tuple[str, str], int]:
    """(month "2026-12", source code) → sign-ups asked for through the form with that `bron`."""
    rows = db.session.execute(
        select(ConsentEvent.occurred_at, ConsentEvent.bron).where(
            ConsentEvent.kind == ConsentKind.requested, ConsentEvent.bron.is_not(None)
        )
    )
    return dict(sorted(Counter((f"{at:%Y-%m}", bron) for at, bron in rows).items()))


def first_reader_per_gemeente() -> dict[str, datetime]:
    """When each municipality got its first confirmed reader (whether or not they stayed)."""
    rows = db.session.execute(
        select(Subscriber.gemeente_code, func.min(ConsentEvent.occurred_at))
        .join(ConsentEvent, ConsentEvent.subscriber_id == Subscriber.id)
        .where(ConsentEvent.kind == ConsentKind.confirmed, Subscriber.gemeente_code.is_not(None))
        .group_by(Subscriber.gemeente_code)
    )
    return {code: first for code, first in rows}


def unsubscribes_per_province(edition_id: int) -> dict[str, int]:
    """Unsubscribes through this edition's link, per province of the reader's municipality."""
    rows = db.session.execute(
        select(Gemeente.province, func.count(ConsentEvent.id))
        .join(Subscriber, ConsentEvent.subscriber_id == Subscriber.id)
        .join(Gemeente, Gemeente.code == Subscriber.gemeente_code)
        .where(ConsentEvent.kind == ConsentKind.unsubscribed, ConsentEvent.edition_id == edition_id)
        .group_by(Gemeente.province)
    )
    return dict(sorted((province, int(n)) for province, n in rows))
