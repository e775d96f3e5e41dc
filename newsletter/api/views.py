"""The operations: readers (readers.py), editions (editions.py), reach, and the document.
Each parses its input, calls a service, and answers JSON; the owners of readers and editions do
the work, with their usual events."""

from __future__ import annotations

from dataclasses import asdict

from flask import jsonify, render_template, url_for
from werkzeug.wrappers import Response

from newsletter.api import (  # noqa: F401  (their operations register)
    edition_views,
    reader_views,
    result_views,
    schemas,
)
from newsletter.api.problems import Invalid, problem
from newsletter.api.spec import OPERATIONS, bp, document, operation
from newsletter.reference.services import all_gemeenten
from newsletter.subscribers import stats


@bp.errorhandler(Invalid)
def invalid(exc: Invalid) -> Response:
    return problem(422, "Niet alle gegevens kloppen.", errors=exc.errors)


@operation("GET", "/reach", scope="stats:read", errors=(),
           summary="Bereik: aangemelde lezers per gemeente en per provincie",
           response=schemas.REACH)  # fmt: skip
def reach() -> Response:
    counts = stats.per_gemeente()
    return jsonify(
        {
            "gemeenten": [asdict(c) for c in counts],
            "provinces": [
                {"province": p, "readers": n, "gemeenten_reached": r, "gemeenten": total}
                for p, n, r, total in stats.by_province(counts)
            ],
        }
    )


@bp.get("/openapi.json")
def openapi() -> Response:
    server = url_for("api.openapi", _external=True).rsplit("/", 1)[0]
    codes = [g.code for g in all_gemeenten()]
    return jsonify(document(server, schemas.made_now(reader_views.today(), sorted(codes))))


@bp.get("/docs")
def docs() -> str:
    return render_template("api/docs.html", operations=OPERATIONS)
