"""Leaving and bouncing through one edition, per day and per province: unsubscribes through its
link and complaints about it (the consent log), hard and soft bounces (the delivery ledger).
Only counts come out: a day (Dutch time) or a province and how many, never who."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select

from newsletter.delivery.models import Delivery, DeliveryState
from newsletter.extensions import db
from newsletter.formatting import AMSTERDAM
from newsletter.reference.models import Gemeente
from newsletter.subscribers.models import ConsentEvent, ConsentKind, Subscriber

#: the measures, in the order of the page, the CSV and the API
MEASURES = {
    "unsubscribes": "Afmeldingen",
    "hard_bounces": "Harde bounces",
    "soft_bounces": "Zachte bounces",
    "complaints": "Klachten",
}
#: a reader without a municipality, or one who was erased since
UNKNOWN = "Onbekend"


@dataclass
class Tally:
    """measure → day → count, and measure → province → count."""

    per_day: dict[str, Counter[date]] = field(default_factory=dict)
    per_province: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, measure: str, moment: datetime | None, province: str | None) -> None:
        if moment is not None:
            self.per_day.setdefault(measure, Counter())[moment.astimezone(AMSTERDAM).date()] += 1
        self.per_province.setdefault(measure, Counter())[province or UNKNOWN] += 1


def hard(code: str) -> bool:
    """5xx at the relay or a DSN with a 5.x.x status; 4xx that ran out of tries is soft."""
    return code.startswith("5") or code.startswith("DSN 5")


def _with_province(query: Select) -> Select:
    return query.outerjoin(Gemeente, Gemeente.code == Subscriber.gemeente_code)


def _events(kind: ConsentKind, *where: object) -> Sequence[Any]:
    query = _with_province(
        select(ConsentEvent.occurred_at, Gemeente.province).join(
            Subscriber, Subscriber.id == ConsentEvent.subscriber_id
        )
    )
    return db.session.execute(query.where(ConsentEvent.kind == kind, *where)).all()


def of_edition(edition_id: int) -> Tally:
    """Everything counted for one edition. A failure from before failed_at was kept has no
    day: it is in its province (and the totals), not in a day."""
    tally = Tally()
    through_link = ConsentEvent.edition_id == edition_id
    for moment, province in _events(ConsentKind.unsubscribed, through_link):
        tally.add("unsubscribes", moment, province)
    complaint = ConsentEvent.detail.like(f"klacht over editie {int(edition_id)} %")
    for moment, province in _events(ConsentKind.complained, complaint):
        tally.add("complaints", moment, province)
    failures = _with_province(
        select(Delivery.error, Delivery.failed_at, Gemeente.province).outerjoin(
            Subscriber, Subscriber.id == Delivery.subscriber_id
        )
    ).where(Delivery.edition_id == edition_id, Delivery.state == DeliveryState.failed)
    for error, moment, province in db.session.execute(failures).all():
        tally.add("hard_bounces" if hard(error or "") else "soft_bounces", moment, province)
    return tally
