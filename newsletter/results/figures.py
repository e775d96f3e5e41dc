"""One edition's results: clicks per link (people and automatic checks apart), unsubscribes
through its link, failed deliveries (hard and soft) and complaints. Every count under 5 is
shown as "minder dan 5" (page, CSV and API alike), so no small group can be picked out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from newsletter.counts import links, tally
from newsletter.counts.models import ClickKind
from newsletter.delivery import figures, ledger
from newsletter.editions import services as editions
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
class EditionResults:
    edition_id: int
    title: str
    recipients: Count
    sent: Count
    links: tuple[LinkResult, ...]
    clicks: Count
    checks: Count
    unsubscribes: Count
    unsubscribes_per_day: tuple[tuple[date, Count], ...]
    hard_bounces: Count
    soft_bounces: Count
    complaints: Count
    #: municipalities whose first reader confirmed after this edition, before the next one
    new_gemeenten: Count = Count(0)
    #: unsubscribes per province, only when every province's count is at least 5 (otherwise
    #: the total minus the others would give a small one away): else empty
    unsubscribes_per_province: tuple[tuple[str, Count], ...] = ()


def _hard(code: str) -> bool:
    """5xx at the relay or a DSN with a 5.x.x status; 4xx that ran out of tries is soft."""
    return code.startswith("5") or code.startswith("DSN 5")


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
    codes = ledger.failures(edition_id)
    leaving = reader_counts.unsubscribes_per_day(edition_id)
    return EditionResults(
        edition_id=edition_id,
        title=sent.title,
        recipients=Count(sent.recipients),
        sent=Count(sent.sent),
        links=tuple(rows),
        clicks=Count(sum(r.people.value for r in rows)),
        checks=Count(sum(r.checkers.value for r in rows)),
        unsubscribes=Count(sum(leaving.values())),
        unsubscribes_per_day=tuple((day, Count(n)) for day, n in leaving.items()),
        hard_bounces=Count(sum(1 for code in codes if _hard(code))),
        soft_bounces=Count(sum(1 for code in codes if not _hard(code))),
        complaints=Count(sent.complaints),
        new_gemeenten=Count(_new_gemeenten(edition_id, sent.sent_at)),
        unsubscribes_per_province=_per_province(edition_id),
    )


def _per_province(edition_id: int) -> tuple[tuple[str, Count], ...]:
    cells = reader_counts.unsubscribes_per_province(edition_id)
    if not cells or min(cells.values()) < THRESHOLD:
        return ()
    return tuple((province, Count(n)) for province, n in cells.items())


def _new_gemeenten(edition_id: int, sent_at: datetime | None) -> int:
    """Coverage over time: municipalities that gained their first reader after this edition
    went out and before the next one did (of the 342)."""
    if sent_at is None:
        return 0
    later = [f.sent_at for f in figures.editions(limit=None) if f.sent_at and f.sent_at > sent_at]
    until = min(later, default=None)
    return sum(
        1
        for first in reader_counts.first_reader_per_gemeente().values()
        if first >= sent_at and (until is None or first < until)
    )


def previous(edition_id: int, limit: int = 5) -> list[EditionResults]:
    """The editions sent before this one, newest first, for comparison."""
    earlier = [f.id for f in figures.editions(limit=None) if f.id < edition_id][:limit]
    return [r for r in (of_edition(i) for i in earlier) if r is not None]


def signups_per_source() -> list[tuple[str, str, Count]]:
    return [
        (month, bron, Count(n)) for (month, bron), n in reader_counts.signups_per_source().items()
    ]


def as_json(results: EditionResults) -> dict[str, object]:
    return {
        "edition_id": results.edition_id,
        "title": results.title,
        "recipients": results.recipients.as_json(),
        "sent": results.sent.as_json(),
        "clicks": results.clicks.as_json(),
        "automatic_checks": results.checks.as_json(),
        "links": [
            {
                "number": r.number,
                "target": r.target,
                "clicks": r.people.as_json(),
                "automatic_checks": r.checkers.as_json(),
            }
            for r in results.links
        ],
        "unsubscribes": results.unsubscribes.as_json(),
        "unsubscribes_per_day": [
            {"date": day.isoformat(), **n.as_json()} for day, n in results.unsubscribes_per_day
        ],
        "hard_bounces": results.hard_bounces.as_json(),
        "soft_bounces": results.soft_bounces.as_json(),
        "complaints": results.complaints.as_json(),
        "new_gemeenten": results.new_gemeenten.as_json(),
        "unsubscribes_per_province": [
            {"province": province, **n.as_json()}
            for province, n in results.unsubscribes_per_province
        ],
    }


def csv_rows(results: EditionResults) -> list[list[str]]:
    rows = [["onderdeel", "link", "doel", "aantal"]]
    rows += [["ontvangers", "", "", results.recipients.label]]
    for r in results.links:
        rows.append(["kliks", str(r.number), r.target, r.people.label])
        rows.append(["automatische controles", str(r.number), r.target, r.checkers.label])
    rows += [
        ["afmeldingen", "", "", results.unsubscribes.label],
        ["harde bounces", "", "", results.hard_bounces.label],
        ["zachte bounces", "", "", results.soft_bounces.label],
        ["klachten", "", "", results.complaints.label],
        ["gemeenten met hun eerste lezer", "", "", results.new_gemeenten.label],
    ]
    return rows
