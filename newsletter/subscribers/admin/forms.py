from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField
from wtforms.validators import DataRequired, Length


class PersonForm(FlaskForm):
    email = EmailField("E-mailadres van de lezer", validators=[DataRequired(), Length(max=320)])


class EraseForm(PersonForm):
    sure = BooleanField(
        "Ja, wis alle gegevens van dit adres (dit kan niet ongedaan worden)",
        validators=[DataRequired()],
    )


class ImportForm(FlaskForm):
    file = FileField("CSV-bestand met lezers", validators=[FileRequired()])
    dry_run = BooleanField("Alleen controleren (proef): niets opslaan", default=True)
