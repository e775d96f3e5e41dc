"""Forms of logging in and of managing editors."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from newsletter.auth import roles
from newsletter.forms import required


class LoginForm(FlaskForm):
    email = EmailField("E-mailadres", validators=required("Vul je e-mailadres in.", 320))
    password = PasswordField("Wachtwoord", validators=required("Vul je wachtwoord in.", 500))


class CodeForm(FlaskForm):
    code = StringField(
        "Code",
        description="De zes cijfers uit je authenticator-app, of een herstelcode.",
        validators=required("Vul de code in.", 40),
    )


class ForgotForm(FlaskForm):
    email = EmailField("E-mailadres", validators=required("Vul je e-mailadres in.", 320))


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "Nieuw wachtwoord",
        description="Minstens 12 tekens. Een zin van een paar woorden is sterk en makkelijk "
        "te onthouden.",
        validators=required("Vul een nieuw wachtwoord in.", 500),
    )
    repeat = PasswordField(
        "Nieuw wachtwoord nog een keer",
        validators=required("Vul het wachtwoord nog een keer in.", 500),
    )

    def validate_repeat(self, field: PasswordField) -> None:
        if field.data != self.password.data:
            raise ValidationError("De twee wachtwoorden zijn niet gelijk.")


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _role_choices() -> list[tuple[str, str]]:
    return [(role, roles.LABELS[role]) for role in roles.ALL]


class RolesForm(FlaskForm):
    roles = _Checkboxes(
        "Rollen", choices=_role_choices, validators=[DataRequired("Kies minstens één rol.")]
    )


class NewEditorForm(RolesForm):
    email = EmailField("E-mailadres", validators=required("Vul het e-mailadres in.", 320))
    name = StringField("Naam", validators=[Length(max=120)])
