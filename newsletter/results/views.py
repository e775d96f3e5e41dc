"""Thin views: one edition's results (charts with their tables, the previous editions beside
it) and the same numbers as CSV."""

from __future__ import annotations

import csv
import io

from flask import render_template
from werkzeug.wrappers import Response

from newsletter.errors import or_404
from newsletter.results import export, figures
from newsletter.results import page as results_page
from newsletter.results.leaving import MEASURES


def page(edition_id: int) -> str:
    shown = or_404(results_page.of_edition(edition_id))
    return render_template(
        "beheer/results.html", page=shown, results=shown.results, measures=MEASURES
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
