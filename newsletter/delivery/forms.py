from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired


class CancelForm(FlaskForm):
    sure = BooleanField(
        "Ja, annuleer: wie de editie nog niet had, krijgt haar niet",
        validators=[DataRequired()],
    )
