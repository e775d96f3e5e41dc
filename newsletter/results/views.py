"""Thin views: one edition's results (charts with their tables, the previous editions beside
it) and the same numbers as CSV."""

from __future__ import annotations

import csv
import io

from flask import render_template
from werkzeug.wrappers import Response

from newsletter.errors import or_404
from newsletter.results import charts, figures


def page(edition_id: int) -> str:
    results = or_404(figures.of_edition(edition_id))
    clicks = charts.bars([(f"{r.number}. {r.target}", r.people) for r in results.links])
    earlier = figures.previous(edition_id)
    comparison = charts.bars(
        [(r.title or f"Editie {r.edition_id}", r.clicks) for r in [results, *earlier]]
    )
    return render_template(
        "beheer/results.html",
        results=results,
        clicks=clicks,
        earlier=earlier,
        comparison=comparison,
        sources=figures.signups_per_source(),
    )


def csv_export(edition_id: int) -> Response:
    results = or_404(figures.of_edition(edition_id))
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(figures.csv_rows(results))
    return Response(
        "\ufeff" + out.getvalue(),  # the BOM: Excel on Windows reads the file as UTF-8
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="editie-{edition_id}-resultaten.csv"'
        },
    )
