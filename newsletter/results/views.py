"""Thin views: one edition's results (charts with their tables, the previous editions beside
it) and the same numbers as CSV."""

from __future__ import annotations

import csv
import io

from flask import render_template
from werkzeug.wrappers import Response

from newsletter.errors import or_404
from newsletter.formatting import calendar_day, moment
from newsletter.results import charts, export, figures
from newsletter.results.leaving import MEASURES, UNKNOWN


def _provinces(results: figures.EditionResults) -> tuple[list[str], list[tuple[str, list]]]:
    """The measures that may be shown per province, and a row per province with their counts."""
    shown = [m for m in MEASURES if results.per_province.get(m)]
    cells = {m: dict(results.per_province[m]) for m in shown}
    provinces = sorted({p for m in shown for p in cells[m]}, key=lambda p: (p == UNKNOWN, p))
    return shown, [(p, [cells[m].get(p, figures.Count(0)) for m in shown]) for p in provinces]


def page(edition_id: int) -> str:
    results = or_404(figures.of_edition(edition_id))
    clicks = charts.bars([(f"{r.number}. {r.target}", r.people) for r in results.links])
    hours = results.clicks_per_hour
    timeline = charts.timeline(
        [(h.hour, h.people) for h in hours],
        moment(hours[0].hour) if hours else "",
        moment(hours[-1].hour) if hours else "",
    )
    days = [(calendar_day(day), counts) for day, counts in results.days()]
    per_day = charts.grouped(days, list(MEASURES.values()))
    province_measures, provinces = _provinces(results)
    per_province = charts.grouped(provinces, [MEASURES[m] for m in province_measures])
    earlier = figures.previous(edition_id)
    comparison = charts.bars(
        [(r.title or f"Editie {r.edition_id}", r.clicks_first_day) for r in [results, *earlier]]
    )
    return render_template(
        "beheer/results.html",
        results=results,
        clicks=clicks,
        timeline=timeline,
        days=days,
        per_day=per_day,
        measures=MEASURES,
        province_measures=province_measures,
        provinces=provinces,
        per_province=per_province,
        earlier=earlier,
        comparison=comparison,
        sources=figures.signups_per_source(),
    )


def csv_export(edition_id: int) -> Response:
    results = or_404(figures.of_edition(edition_id))
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(export.csv_rows(results))
    return Response(
        "\ufeff" + out.getvalue(),  # the BOM: Excel on Windows reads the file as UTF-8
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="editie-{edition_id}-resultaten.csv"'
        },
    )
