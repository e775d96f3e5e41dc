"""The results as the API answers them and as the CSV has them: the same numbers as the page,
counts under 5 as "minder dan 5" (in the API: count null with that label)."""

from __future__ import annotations

from datetime import UTC

from newsletter.formatting import AMSTERDAM
from newsletter.results.figures import EditionResults
from newsletter.results.leaving import MEASURES

CSV_HEADER = ["onderdeel", "link", "doel", "dag of uur", "provincie", "aantal"]


def as_json(results: EditionResults) -> dict[str, object]:
    body: dict[str, object] = {
        "edition_id": results.edition_id,
        "title": results.title,
        "recipients": results.recipients.as_json(),
        "sent": results.sent.as_json(),
        "clicks": results.clicks.as_json(),
        "clicks_first_24_hours": results.clicks_first_day.as_json(),
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
        "clicks_per_hour": [
            {
                "hour": h.hour.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "clicks": h.people.as_json(),
                "automatic_checks": h.checkers.as_json(),
            }
            for h in results.clicks_per_hour
        ],
        "new_gemeenten": results.new_gemeenten.as_json(),
    }
    for measure in MEASURES:
        body[measure] = getattr(results, measure).as_json()
        body[f"{measure}_per_day"] = [
            {"date": day.isoformat(), **n.as_json()} for day, n in results.per_day.get(measure, ())
        ]
        body[f"{measure}_per_province"] = [
            {"province": province, **n.as_json()}
            for province, n in results.per_province.get(measure, ())
        ]
    return body


def csv_rows(results: EditionResults) -> list[list[str]]:
    """One count a row: what, which link (and where it goes), which day, hour or province."""
    rows = [CSV_HEADER, ["ontvangers", "", "", "", "", results.recipients.label]]
    for r in results.links:
        rows.append(["kliks", str(r.number), r.target, "", "", r.people.label])
        rows.append(["automatische controles", str(r.number), r.target, "", "", r.checkers.label])
    for h in results.clicks_per_hour:
        hour = f"{h.hour.astimezone(AMSTERDAM):%Y-%m-%d %H:00}"
        rows.append(["kliks per uur", "", "", hour, "", h.people.label])
        rows.append(["automatische controles per uur", "", "", hour, "", h.checkers.label])
    rows.append(["kliks in de eerste 24 uur", "", "", "", "", results.clicks_first_day.label])
    for measure, name in MEASURES.items():
        what = name.lower()
        rows.append([what, "", "", "", "", getattr(results, measure).label])
        for day, n in results.per_day.get(measure, ()):
            rows.append([f"{what} per dag", "", "", day.isoformat(), "", n.label])
        for province, n in results.per_province.get(measure, ()):
            rows.append([f"{what} per provincie", "", "", "", province, n.label])
    rows.append(["gemeenten met hun eerste lezer", "", "", "", "", results.new_gemeenten.label])
    return rows
