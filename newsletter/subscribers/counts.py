"""Counts of what readers did, never who: sign-ups per source and month, coverage over time.
Plain numbers for the results page and the API (newsletter.results)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import func, select

from newsletter.extensions import db
from newsletter.subscribers.models import ConsentEvent, ConsentKind, Subscriber


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
