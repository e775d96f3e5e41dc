"""The workspace's form and the stored source: fields → source (YAML quoting done for the
editor) and source → fields, so the form and the source view round-trip."""

from __future__ import annotations

from newsletter.editions.forms import EditionForm
from newsletter.rendering.agenda import AgendaItem
from newsletter.rendering.frontmatter import Fields, compose, decompose
from newsletter.subscribers import segments

__all__ = ["Fields", "compose", "decompose", "form_for", "from_form", "prepare"]


def prepare(form: EditionForm) -> EditionForm:
    """Fill the choices (the provinces come from the reference data)."""
    provinces, roles = segments.choices()
    form.provinces.choices = [(name, name) for name in provinces]
    form.roles.choices = [(label, label) for label in roles]
    return form


def from_form(form: EditionForm) -> Fields:
    segment = {
        "provincies": list(form.provinces.data or []),
        "functies": list(form.roles.data or []),
        "gemeenten": [n.strip() for n in (form.gemeenten.data or "").split(",") if n.strip()],
    }
    agenda = tuple(
        AgendaItem(
            row["title"].strip(),
            row["start"],
            row["end"],
            (row["place"] or "").strip(),
            (row["link"] or "").strip(),
        )
        for row in form.agenda.data
        if (row["title"] or "").strip() and row["start"] is not None
    )
    tags = (form.hashtags.data or "").replace("#", "").replace(" ", ",").split(",")
    return Fields(
        title=form.title.data or "",
        agenda=agenda,
        hashtags=tuple(tag.strip() for tag in tags if tag.strip()),
        share=form.share.data or "",
        count_links=not form.links_uncounted.data,
        preheader=form.preheader.data or "",
        date=form.edition_date.data,
        theme=form.theme.data or "",
        segment={key: names for key, names in segment.items() if names},
        body=form.body.data or "",
    )


def form_for(fields: Fields) -> EditionForm:
    return prepare(
        EditionForm(
            data={
                "title": fields.title,
                "preheader": fields.preheader,
                "edition_date": fields.date,
                "theme": fields.theme,
                "provinces": fields.segment.get("provincies", []),
                "roles": fields.segment.get("functies", []),
                "gemeenten": ", ".join(fields.segment.get("gemeenten", [])),
                "hashtags": ", ".join(fields.hashtags),
                "share": fields.share,
                "links_uncounted": not fields.count_links,
                "agenda": [
                    {
                        "title": item.title,
                        "start": item.start,
                        "end": item.end,
                        "place": item.place,
                        "link": item.link,
                    }
                    for item in fields.agenda
                ],
                "body": fields.body,
            }
        )
    )
