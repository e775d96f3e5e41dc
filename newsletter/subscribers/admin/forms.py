from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from newsletter.forms import required
from newsletter.subscribers.pages.forms import valid_name


class PersonForm(FlaskForm):
    email = EmailField("E-mailadres van de lezer", validators=[DataRequired(), Length(max=320)])


class EraseForm(PersonForm):
    sure = BooleanField(
        "Ja, wis alle gegevens van dit adres (dit kan niet ongedaan worden)",
        validators=[DataRequired()],
    )


class ImportForm(FlaskForm):
    file = FileField(
        "CSV-bestand met lezers", validators=[FileRequired("Kies eerst een CSV-bestand.")]
    )
    dry_run = BooleanField("Alleen controleren (proef): niets opslaan", default=True)


class CorrectionForm(FlaskForm):
    """An editor corrects a reader's details (the reader's own page offers the same)."""

    name = StringField("Naam", validators=[DataRequired("Vul de naam in."), valid_name])
    gemeente = StringField("Gemeente", validators=required("Vul de gemeente in.", 120))
    role = SelectField("Functie", choices=[])
