"""An edition's results as counts (issue 30): the same numbers as the results page and its CSV.
Every count under 5 is null with the label "minder dan 5"."""

from __future__ import annotations

from flask import abort, jsonify
from werkzeug.wrappers import Response

from newsletter.api.spec import operation
from newsletter.results import export, figures

SHOWN = {
    "type": "object",
    "additionalProperties": False,
    "required": ["count", "label"],
    "properties": {
        "count": {"type": ["integer", "null"], "minimum": 5},
        "label": {"type": "string"},
    },
    "description": "Een aantal; onder 5 is count null en label 'minder dan 5'.",
}
_TOTALS = (
    "recipients", "sent", "clicks", "clicks_first_24_hours", "automatic_checks", "unsubscribes",
    "hard_bounces", "soft_bounces", "complaints", "new_gemeenten",
)  # fmt: skip
#: unsubscribes, hard and soft bounces and complaints: each per day and per province
_LEAVING = ("unsubscribes", "hard_bounces", "soft_bounces", "complaints")


def _cells(key: str, schema: dict[str, object]) -> dict[str, object]:
    return {
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": [key, "count", "label"],
            "properties": {key: schema, **SHOWN["properties"]},
        },
    }


PER_DAY = _cells("date", {"type": "string", "format": "date"})
PER_DAY["description"] = "Per dag (Nederlandse tijd); alleen dagen waarop iets geteld is."
PER_PROVINCE = _cells("province", {"type": "string"})
PER_PROVINCE["description"] = (
    "Per provincie ('Onbekend': geen gemeente of gewist). Leeg tenzij elke provincie "
    "minstens 5 heeft: anders zou het totaal min de rest een klein aantal verraden."
)
RESULTS = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "edition_id",
        "title",
        "links",
        "clicks_per_hour",
        *_TOTALS,
        *(f"{m}_per_day" for m in _LEAVING),
        *(f"{m}_per_province" for m in _LEAVING),
    ],
    "properties": {
        "edition_id": {"type": "integer"},
        "title": {"type": "string"},
        **{key: SHOWN for key in _TOTALS},
        "links": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["number", "target", "clicks", "automatic_checks"],
                "properties": {
                    "number": {"type": "integer", "minimum": 1},
                    "target": {"type": "string"},
                    "clicks": SHOWN,
                    "automatic_checks": SHOWN,
                },
            },
        },
        "clicks_per_hour": {
            "type": "array",
            "description": "Kliks per uur (begin van het uur, UTC); alleen uren met kliks.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["hour", "clicks", "automatic_checks"],
                "properties": {
                    "hour": {"type": "string", "format": "date-time"},
                    "clicks": SHOWN,
                    "automatic_checks": SHOWN,
                },
            },
        },
        **{f"{m}_per_day": PER_DAY for m in _LEAVING},
        **{f"{m}_per_province": PER_PROVINCE for m in _LEAVING},
    },
}


@operation("GET", "/editions/<int(max=2147483647):edition_id>/results", scope="editions:read",
           summary="Wat een verzonden editie opleverde, in aantallen (niemand apart)",
           response=RESULTS)  # fmt: skip
def edition_results(edition_id: int) -> Response:
    results = figures.of_edition(edition_id)
    if results is None:  # no such edition (one not sent yet has nothing counted)
        abort(404)
    return jsonify(export.as_json(results))
