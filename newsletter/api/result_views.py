"""An edition's results as counts (issue 30): the same numbers as the results page and its CSV.
Every count under 5 is null with the label "minder dan 5"."""

from __future__ import annotations

from flask import jsonify
from werkzeug.wrappers import Response

from newsletter.api.schemas import obj
from newsletter.api.spec import operation
from newsletter.errors import or_404
from newsletter.results import figures

SHOWN = obj(
    {"count": {"type": ["integer", "null"], "minimum": 5}, "label": {"type": "string"}},
    description="Een aantal; onder 5 is count null en label 'minder dan 5'.",
)
_TOTALS = (
    "recipients", "sent", "clicks", "automatic_checks", "unsubscribes", "hard_bounces",
    "soft_bounces", "complaints", "new_gemeenten",
)  # fmt: skip
_LINK = obj(
    {
        "number": {"type": "integer", "minimum": 1},
        "target": {"type": "string"},
        "clicks": SHOWN,
        "automatic_checks": SHOWN,
    }
)
RESULTS = obj(
    {
        "edition_id": {"type": "integer"},
        "title": {"type": "string"},
        **{key: SHOWN for key in _TOTALS},
        "links": {"type": "array", "items": _LINK},
        "unsubscribes_per_province": {
            "type": "array",
            "description": "Leeg tenzij elke provincie minstens 5 afmeldingen heeft.",
            "items": obj({"province": {"type": "string"}, **SHOWN["properties"]}, closed=False),
        },
        "unsubscribes_per_day": {
            "type": "array",
            "items": obj(
                {"date": {"type": "string", "format": "date"}, **SHOWN["properties"]},
                closed=False,
            ),
        },
    }
)


@operation("GET", "/editions/<int(max=2147483647):edition_id>/results", scope="editions:read",
           summary="Wat een verzonden editie opleverde, in aantallen (niemand apart)",
           response=RESULTS)  # fmt: skip
def edition_results(edition_id: int) -> Response:
    # none: no such edition (one not sent yet has nothing counted)
    return jsonify(figures.as_json(or_404(figures.of_edition(edition_id))))
