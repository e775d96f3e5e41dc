"""Forms of the editor's workspace: the edition as fields (for communications editors), the
source view (front matter + Markdown, for power users), scheduling and test-sends."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from newsletter.formatting import DAY_HINT, MOMENT_HINT, typed_day, typed_moment
from newsletter.forms import ActionForm, required
from newsletter.rendering.frontmatter import PREHEADER_MAX, TITLE_MAX

__all__ = [
    "STARTER",
    "STARTER_BODY",
    "STARTER_LINE",
    "ActionForm",
    "EditionForm",
    "ScheduleForm",
    "SourceForm",
    "TestAddressForm",
    "TestSendForm",
]

SOURCE_MAX = 200_000

#: the first line of a new edition's text: what an editor reads before typing over it
STARTER_LINE = "Schrijf hier je tekst."
STARTER = (
    """---
title: Titel van de editie
preheader: Eén zin die mailprogramma's na het onderwerp tonen.
date: {today}
theme: Jeugdzorg
---

## Deze week

"""
    + STARTER_LINE
    + """

[Schrijf uw Kamerlid](https://vng.nl/ravijn){{.button}}
"""
)
STARTER_BODY = f"""## Deze week

{STARTER_LINE}
"""


class DayField(Field):
    """A day typed as dd-mm-jjjj in a text box (a date field shows the browser's own format,
    mm/dd/yyyy in an English Chromium); ISO yyyy-mm-dd from older pages is read too."""

    widget = TextInput()
    shown = "%d-%m-%Y"

    def __init__(self, label: str, **kwargs: Any) -> None:
        hint = DAY_HINT if self.shown == "%d-%m-%Y" else MOMENT_HINT
        kwargs.setdefault("description", hint)
        typed = {"autocomplete": "off", "inputmode": "numeric", "size": len(hint.split(",")[0])}
        kwargs["render_kw"] = typed | kwargs.get("render_kw", {})
        super().__init__(label, **kwargs)

    @staticmethod
    def parse(text: str) -> date | datetime | None:
        return typed_day(text)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime(self.shown) if self.data else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        try:
            self.data = self.parse(valuelist[0])
        except ValueError as exc:
            self.data = None
            raise ValueError(f"{self.label.text}: {str(exc)[0].lower()}{str(exc)[1:]}") from None


class MomentField(DayField):
    """A day and a time typed as dd-mm-jjjj uu:mm (ISO 2026-03-21T14:30 is read too)."""

    shown = "%d-%m-%Y %H:%M"

    @staticmethod
    def parse(text: str) -> date | datetime | None:
        return typed_moment(text)


class SourceForm(FlaskForm):
    source = TextAreaField(
        "Editie (front matter en Markdown)",
        validators=[
            DataRequired("De editie is leeg."),
            Length(max=SOURCE_MAX, message="De editie is te lang."),
        ],
    )


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: object) -> None:
        """Unknown values are reported by the audience check (with a suggestion), not here."""


class AgendaRow(Form):
    """One date to save; a row without a title is left out."""

    title = StringField("Titel", validators=[Length(max=150, message="Hoogstens 150 tekens.")])
    start = MomentField("Begin", validators=[Optional()])
    end = MomentField("Einde", validators=[Optional()])
    place = StringField("Plaats", validators=[Length(max=150, message="Hoogstens 150 tekens.")])
    link = StringField(
        "Link (https://…)", validators=[Length(max=500, message="Hoogstens 500 tekens.")]
    )

    def validate(self, extra_validators: dict | None = None) -> bool:
        """A titled row needs its start (Optional() would stop a field-level check)."""
        valid = super().validate(extra_validators)
        if (self.title.data or "").strip() and self.start.data is None:
            self.start.errors = [*self.start.errors, "Vul in wanneer het begint."]
            return False
        return valid


class EditionForm(FlaskForm):
    """The edition as fields; `compose` turns them into the source, quoting included."""

    title = StringField(
        "Onderwerp",
        description="Wordt het onderwerp van de mail en de titel in het archief.",
        validators=[
            DataRequired("Vul het onderwerp in."),
            Length(max=TITLE_MAX, message=f"Het onderwerp mag hoogstens {TITLE_MAX} tekens."),
        ],
    )
    preheader = StringField(
        "Voorregel",
        description="Eén zin die mailprogramma's na het onderwerp laten zien.",
        validators=[Length(max=PREHEADER_MAX, message="De voorregel is te lang.")],
    )
    edition_date = DayField("Datum van de editie", validators=[Optional()])
    theme = StringField(
        "Thema",
        description="Bijvoorbeeld Jeugdzorg.",
        validators=[Length(max=80, message="Het thema mag hoogstens 80 tekens.")],
    )
    provinces = _Checkboxes("Provincies", choices=[])
    roles = _Checkboxes("Functies", choices=[])
    gemeenten = StringField(
        "Gemeenten",
        description="Namen met komma's ertussen. Leeg: alle gemeenten.",
        validators=[Length(max=10_000, message="De lijst van gemeenten is te lang.")],
    )
    agenda = FieldList(FormField(AgendaRow), min_entries=3, max_entries=10)
    hashtags = StringField(
        "Hashtags",
        description="Met komma's ertussen, zonder #. Bijvoorbeeld: 1voor12, ravijn.",
        validators=[Length(max=300, message="De hashtags mogen samen hoogstens 300 tekens.")],
    )
    share = StringField(
        "Tekst om te delen",
        description="Eén zin die lezers meesturen als ze de campagne delen.",
        validators=[Length(max=200, message="De tekst om te delen mag hoogstens 200 tekens.")],
    )
    # "not": a form without the box (an older page, a script) keeps counting on
    links_uncounted = BooleanField(
        "Kliks op links niet tellen",
        description="Normaal tellen we per link hoe vaak erop is geklikt: alleen een aantal per "
        "uur, van niemand apart. Aangevinkt: de mail krijgt de links zoals ze zijn.",
    )
    body = TextAreaField(
        "Tekst van de editie",
        validators=[
            DataRequired("De tekst is leeg."),
            Length(max=SOURCE_MAX, message="De tekst is te lang."),
        ],
    )


class ScheduleForm(FlaskForm):
    when = MomentField(
        "Verzenden op (Nederlandse tijd)", validators=[InputRequired("Kies een datum en tijd.")]
    )


class TestSendForm(FlaskForm):
    addresses = TextAreaField(
        "Testadressen",
        description="Hoogstens vijf van je bevestigde testadressen, elk op een eigen regel of "
        "met komma's ertussen. Leeg: alleen naar jezelf.",
        validators=[Length(max=2000, message="Dat zijn te veel tekens voor vijf adressen.")],
    )


class TestAddressForm(FlaskForm):
    email = StringField(
        "Nieuw testadres",
        description="Het wordt een testadres zodra iemand de link volgt die we ernaar sturen.",
        validators=required("Vul een e-mailadres in.", 320),
    )
