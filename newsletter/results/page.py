"""What the results page shows of one edition: its figures, drawn as charts, beside those of the
editions before it. Every chart is built from counts that already hide anything under 5."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from newsletter.formatting import calendar_day, moment
from newsletter.results import charts, figures
from newsletter.results.leaving import MEASURES, UNKNOWN


@dataclass(frozen=True)
class ResultsPage:
    results: figures.EditionResults
    earlier: list[figures.EditionResults]
    sources: list

    @cached_property
    def clicks(self) -> charts.Chart:
        return charts.bars([(f"{r.number}. {r.target}", r.people) for r in self.results.links])

    @cached_property
    def timeline(self) -> charts.Timeline:
        hours = self.results.clicks_per_hour
        return charts.timeline(
            [(h.hour, h.people) for h in hours],
            moment(hours[0].hour) if hours else "",
            moment(hours[-1].hour) if hours else "",
        )

    @cached_property
    def days(self) -> list[tuple[str, list[figures.Count]]]:
        return [(calendar_day(day), counts) for day, counts in self.results.days()]

    @cached_property
    def per_day(self) -> charts.Chart:
        return charts.grouped(self.days, list(MEASURES.values()))

    @cached_property
    def province_measures(self) -> list[str]:
        """The measures that may be shown per province (each has a province of 5 or more)."""
        return [m for m in MEASURES if self.results.per_province.get(m)]

    @cached_property
    def provinces(self) -> list[tuple[str, list[figures.Count]]]:
        """A row per province with the counts of `province_measures`; "unknown" last."""
        cells = {m: dict(self.results.per_province[m]) for m in self.province_measures}
        names = sorted({p for c in cells.values() for p in c}, key=lambda p: (p == UNKNOWN, p))
        return [(p, [cells[m].get(p, figures.Count(0)) for m in cells]) for p in names]

    @cached_property
    def per_province(self) -> charts.Chart:
        return charts.grouped(self.provinces, [MEASURES[m] for m in self.province_measures])

    @cached_property
    def comparison(self) -> charts.Chart:
        rows = [self.results, *self.earlier]
        return charts.bars(
            [(r.title or f"Editie {r.edition_id}", r.clicks_first_day) for r in rows]
        )


def of_edition(edition_id: int) -> ResultsPage | None:
    results = figures.of_edition(edition_id)
    if results is None:
        return None
    return ResultsPage(results, figures.previous(edition_id), figures.signups_per_source())
