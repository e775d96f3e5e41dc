"""Forms of the editor's workspace."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, TextAreaField
from wtforms.validators import DataRequired, Length

from newsletter.forms import ActionForm

__all__ = ["STARTER", "ActionForm", "ScheduleForm", "SourceForm"]

SOURCE_MAX = 200_000

STARTER = """---
title: Titel van de editie
preheader: Eén zin die mailprogramma's na het onderwerp tonen.
date: {today}
theme: Jeugdzorg
---

## Deze week

Schrijf hier de editie in Markdown.

[Schrijf uw Kamerlid](https://vng.nl/ravijn){{.button}}
"""


class SourceForm(FlaskForm):
    source = TextAreaField(
        "Editie (front matter en Markdown)",
        validators=[
            DataRequired("De editie is leeg."),
            Length(max=SOURCE_MAX, message="De editie is te lang."),
        ],
    )


class ScheduleForm(FlaskForm):
    when = DateTimeLocalField(
        "Verzenden op (Nederlandse tijd)",
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired("Kies een datum en tijd.")],
    )
