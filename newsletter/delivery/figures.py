"""Figures per sent edition: recipients, sent, failed, bounced, and who left within a week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from newsletter.delivery import ledger
from newsletter.subscribers import queries


@dataclass(frozen=True)
class EditionFigures:
    id: int
    title: str
    sent_at: datetime | None
    recipients: int
    sent: int
    failed: int
    bounced: int
    unsubscribed_7d: int
    complaints: int = 0


def _unsubscribed_within_week(edition_id: int, published_at: datetime | None) -> int:
    if published_at is None:
        return 0
    return queries.unsubscribed_among(
        ledger.subscribers_of(edition_id), published_at, published_at + timedelta(days=7)
    )


def _figures(rows: list[Any]) -> list[EditionFigures]:
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
            queries.complaints_about(r[0]),
        )
        for r in rows
    ]


def editions(limit: int | None = 20) -> list[EditionFigures]:
    return _figures(ledger.edition_totals(limit))


def sent_editions() -> list[tuple[int, datetime | None]]:
    """(id, published_at) of every edition that went out, newest first: no figures counted."""
    return [(r[0], r[2]) for r in ledger.edition_totals(None)]


def of_edition(edition_id: int) -> EditionFigures | None:
    """The figures of one edition once it went out (None before)."""
    return next(iter(_figures(ledger.edition_totals(None, edition_id))), None)
