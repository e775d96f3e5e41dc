"""One edition's results: clicks per link and per hour (people and automatic checks apart),
unsubscribes through its link, failed deliveries (hard and soft) and complaints, in total, per
day and per province. Every count under 5 is shown as "minder dan 5" (page, CSV and API
alike), so no small group can be picked out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from newsletter.counts import links, tally
from newsletter.counts.models import ClickKind
from newsletter.delivery import figures
from newsletter.editions import services as editions
from newsletter.results import leaving
from newsletter.subscribers import counts as reader_counts

THRESHOLD = 5
SMALL = "minder dan 5"


@dataclass(frozen=True)
class Count:
    value: int

    @property
    def shown(self) -> int | None:
        """The number, or None when it is under the threshold."""
        return self.value if self.value >= THRESHOLD else None

    @property
    def label(self) -> str:
        return SMALL if self.shown is None else f"{self.value:,}".replace(",", ".")

    def as_json(self) -> dict[str, object]:
        return {"count": self.shown, "label": self.label}


@dataclass(frozen=True)
class LinkResult:
    number: int
    target: str
    people: Count
    checkers: Count


@dataclass(frozen=True)
class HourResult:
    hour: datetime  # aware UTC, the start of the hour
    people: Count
    checkers: Count


Cells = tuple[tuple[str, Count], ...]


@dataclass(frozen=True)
class EditionResults:
    edition_id: int
    title: str
    recipients: Count
    sent: Count
    links: tuple[LinkResult, ...]
    clicks: Count
    checks: Count
    unsubscribes: Count
    hard_bounces: Count
    soft_bounces: Count
    complaints: Count
    #: municipalities whose first reader confirmed after this edition, before the next one
    new_gemeenten: Count = Count(0)
    #: clicks by people in the first 24 hours after the edition went out: comparable between
    #: editions, which the total (still growing for the newest) is not
    clicks_first_day: Count = Count(0)
    clicks_per_hour: tuple[HourResult, ...] = ()
    #: measure (leaving.MEASURES) → its counts per day, oldest first
    per_day: dict[str, tuple[tuple[date, Count], ...]] = field(default_factory=dict)
    #: measure → its counts per province, only when every province's count is at least 5
    #: (otherwise the total minus the others would give a small one away): else empty
    per_province: dict[str, Cells] = field(default_factory=dict)

    @property
    def unsubscribes_per_day(self) -> tuple[tuple[date, Count], ...]:
        return self.per_day.get("unsubscribes", ())

    @property
    def unsubscribes_per_province(self) -> Cells:
        return self.per_province.get("unsubscribes", ())

    def days(self) -> list[tuple[date, list[Count]]]:
        """Every day something was counted, with each measure's count that day."""
        found: dict[date, dict[str, Count]] = {}
        for measure, cells in self.per_day.items():
            for day, n in cells:
                found.setdefault(day, {})[measure] = n
        return [
            (day, [found[day].get(m, Count(0)) for m in leaving.MEASURES]) for day in sorted(found)
        ]


def _per_province(cells: Counter[str]) -> Cells:
    if not cells or min(cells.values()) < THRESHOLD:
        return ()
    order = sorted(cells, key=lambda p: (p == leaving.UNKNOWN, p))
    return tuple((province, Count(cells[province])) for province in order)


def _hours(edition_id: int) -> tuple[HourResult, ...]:
    found: dict[datetime, dict[str, int]] = {}
    for hour, kind, n in tally.per_hour(edition_id):
        found.setdefault(hour, {})[kind] = n
    return tuple(
        HourResult(
            hour,
            Count(kinds.get(ClickKind.person.value, 0)),
            Count(kinds.get(ClickKind.checker.value, 0)),
        )
        for hour, kinds in sorted(found.items())
    )


def of_edition(edition_id: int) -> EditionResults | None:
    """None for an unknown edition; one not sent yet has nothing counted."""
    sent = figures.of_edition(edition_id)
    if sent is None:
        try:
            edition = editions.get(edition_id)
        except editions.EditionError:
            return None
        sent = figures.EditionFigures(
            edition.id, edition.title, edition.published_at, 0, 0, 0, 0, 0
        )
    per_link = tally.per_link(edition_id)
    rows = [
        LinkResult(
            n,
            target,
            Count(per_link.get((n, ClickKind.person.value), 0)),
            Count(per_link.get((n, ClickKind.checker.value), 0)),
        )
        for n, target in enumerate(links.stored(edition_id), start=1)
    ]
    counted = leaving.of_edition(edition_id)
    total = {m: sum(counted.per_province.get(m, Counter()).values()) for m in leaving.MEASURES}
    hours = _hours(edition_id)
    first_day = sent.sent_at + timedelta(hours=24) if sent.sent_at else None
    return EditionResults(
        edition_id=edition_id,
        title=sent.title,
        recipients=Count(sent.recipients),
        sent=Count(sent.sent),
        links=tuple(rows),
        clicks=Count(sum(r.people.value for r in rows)),
        checks=Count(sum(r.checkers.value for r in rows)),
        unsubscribes=Count(total["unsubscribes"]),
        hard_bounces=Count(total["hard_bounces"]),
        soft_bounces=Count(total["soft_bounces"]),
        complaints=Count(total["complaints"]),
        new_gemeenten=Count(_new_gemeenten(edition_id, sent.sent_at)),
        clicks_first_day=Count(
            sum(h.people.value for h in hours if first_day and h.hour < first_day)
        ),
        clicks_per_hour=hours,
        per_day={
            m: tuple((day, Count(n)) for day, n in sorted(cells.items()))
            for m, cells in counted.per_day.items()
        },
        per_province={m: _per_province(cells) for m, cells in counted.per_province.items()},
    )


def _new_gemeenten(edition_id: int, sent_at: datetime | None) -> int:
    """Coverage over time: municipalities that gained their first reader after this edition
    went out and before the next one did (of the 342)."""
    if sent_at is None:
        return 0
    later = [at for _, at in figures.sent_editions() if at and at > sent_at]
    until = min(later, default=None)
    return sum(
        1
        for first in reader_counts.first_reader_per_gemeente().values()
        if first >= sent_at and (until is None or first < until)
    )


def previous(edition_id: int, limit: int = 5) -> list[EditionResults]:
    """The editions sent before this one, newest first, for comparison."""
    earlier = [i for i, _ in figures.sent_editions() if i < edition_id][:limit]
    return [r for r in (of_edition(i) for i in earlier) if r is not None]


def signups_per_source() -> list[tuple[str, str, Count]]:
    return [
        (month, bron, Count(n)) for (month, bron), n in reader_counts.signups_per_source().items()
    ]
