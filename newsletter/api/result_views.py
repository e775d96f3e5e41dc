"""An edition's results as counts (issue 30): the same numbers as the results page and its CSV.
Every count under 5 is null with the label "minder dan 5"."""

from __future__ import annotations

from flask import jsonify
from werkzeug.wrappers import Response

from newsletter.api.schemas import obj
from newsletter.api.spec import operation
from newsletter.errors import or_404
from newsletter.results import export, figures

SHOWN = obj(
    {"count": {"type": ["integer", "null"], "minimum": 5}, "label": {"type": "string"}},
    description="Een aantal; onder 5 is count null en label 'minder dan 5'.",
)
_TOTALS = (
    "recipients", "sent", "clicks", "clicks_first_24_hours", "automatic_checks", "unsubscribes",
    "hard_bounces", "soft_bounces", "complaints", "new_gemeenten",
)  # fmt: skip
#: unsubscribes, hard and soft bounces and complaints: each per day and per province
_LEAVING = ("unsubscribes", "hard_bounces", "soft_bounces", "complaints")


def _cells(key: str, schema: dict[str, object], description: str) -> dict[str, object]:
    items = obj({key: schema, **SHOWN["properties"]})
    return {"type": "array", "items": items, "description": description}


PER_DAY = _cells(
    "date",
    {"type": "string", "format": "date"},
    "Per dag (Nederlandse tijd); alleen dagen waarop iets geteld is.",
)
PER_PROVINCE = _cells(
    "province",
    {"type": "string"},
    "Per provincie ('Onbekend': geen gemeente of gewist). Leeg tenzij elke provincie "
    "minstens 5 heeft: anders zou het totaal min de rest een klein aantal verraden.",
)
_LINK = obj(
    {
        "number": {"type": "integer", "minimum": 1},
        "target": {"type": "string"},
        "clicks": SHOWN,
        "automatic_checks": SHOWN,
    }
)
_HOUR = obj(
    {"hour": {"type": "string", "format": "date-time"}, "clicks": SHOWN, "automatic_checks": SHOWN}
)
RESULTS = obj(
    {
        "edition_id": {"type": "integer"},
        "title": {"type": "string"},
        "links": {"type": "array", "items": _LINK},
        "clicks_per_hour": {
            "type": "array",
            "description": "Kliks per uur (begin van het uur, UTC); alleen uren met kliks.",
            "items": _HOUR,
        },
        **{key: SHOWN for key in _TOTALS},
        **{f"{m}_per_day": PER_DAY for m in _LEAVING},
        **{f"{m}_per_province": PER_PROVINCE for m in _LEAVING},
    }
)


@operation("GET", "/editions/<int(max=2147483647):edition_id>/results", scope="editions:read",
           summary="Wat een verzonden editie opleverde, in aantallen (niemand apart)",
           response=RESULTS)  # fmt: skip
def edition_results(edition_id: int) -> Response:
    # none: no such edition (one not sent yet has nothing counted)
    return jsonify(export.as_json(or_404(figures.of_edition(edition_id))))
