"""The login form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(
        "E-mailadres", validators=[DataRequired("Vul je e-mailadres in."), Length(max=320)]
    )
    password = PasswordField(
        "Wachtwoord", validators=[DataRequired("Vul je wachtwoord in."), Length(max=500)]
    )
